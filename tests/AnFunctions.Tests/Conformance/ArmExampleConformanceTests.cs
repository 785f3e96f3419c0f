using System.Globalization;
using System.Text.Json.Nodes;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Compute;
using Azure.ResourceManager.Compute;

namespace AnFunctions.Tests.Conformance;

/// <summary>
/// The Azure REST spec examples of scale sets under <c>tests/fixtures/arm-examples</c>: every response body that
/// holds a scale set is served by the emulator, as published (only its own id made valid), and read through the
/// app's real path (the SDK's ARM pipeline, then <see cref="ScaleSetConverter"/> on ARM's JSON); the snapshot is
/// checked against the JSON itself. Some hold values in fields the app does not use that the SDK 1.2.0's model
/// refuses (a <c>{placeholder}</c> in <c>osDisk.image.uri</c>, <c>"aaaa"</c> as <c>certificateUrl</c> or
/// <c>storageUri</c>): the app must read them all the same.
/// </summary>
public sealed class ArmExampleConformanceTests
{
    /// <summary>Rows of (file, response status, index in <c>value[]</c> or 0) for every scale set in a response body.</summary>
    public static TheoryData<string, string, int> ScaleSetBodies()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var (file, status, index) in ScaleSetBodyRows())
        {
            data.Add(file, status, index);
        }

        return data;
    }

    private static List<(string File, string Status, int Index)> ScaleSetBodyRows()
    {
        var rows = new List<(string File, string Status, int Index)>();
        foreach (var file in ConformanceFixtures.Files("arm-examples", "*.json", SearchOption.TopDirectoryOnly))
        {
            if (ConformanceFixtures.ReadJson(file)["responses"] is not JsonObject responses)
            {
                continue;
            }

            foreach (var (status, response) in responses)
            {
                var body = response?["body"];
                var items = body?["value"] is JsonArray values ? values.ToList() : [body];
                for (var i = 0; i < items.Count; i++)
                {
                    if (IsScaleSet(items[i]))
                    {
                        rows.Add((file, status, i));
                    }
                }
            }
        }

        return rows;
    }

    private static bool IsScaleSet(JsonNode? node) =>
        node is JsonObject item
        && item["id"]?.GetValue<string>() is { } id
        && id.Contains("/providers/Microsoft.Compute/virtualMachineScaleSets/", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A scale set of an example as published, with only its own <c>id</c> made a valid id (the examples write
    /// <c>{subscription-id}</c> there); every other field keeps its value, placeholders and generated filler included.
    /// </summary>
    private static JsonObject Body(string file, string status, int index)
    {
        var body = ConformanceFixtures.ReadJson(file)["responses"]![status]!["body"]!;
        var item = (body["value"] is JsonArray values ? values[index]! : body).DeepClone().AsObject();
        item["id"] = ConformanceFixtures.WithoutPlaceholders(item["id"]!).GetValue<string>();
        return item;
    }

    private static async Task<(ScaleSetSnapshot Snapshot, ArmEmulator Emulator)> ReadThroughTheAppAsync(JsonObject body)
    {
        var emulator = new ArmEmulator();
        emulator.PutScaleSet(body.DeepClone().AsObject());
        var client = new ArmScaleSetClient(ConformanceFixtures.Connection(emulator));
        var snapshot = await client.GetAsync(ScaleSetId.Parse(body["id"]!.GetValue<string>()), CancellationToken.None);
        Assert.NotNull(snapshot);
        return (snapshot, emulator);
    }

    private static JsonArray NicsOf(JsonObject body) =>
        body["properties"]?["virtualMachineProfile"]?["networkProfile"]?["networkInterfaceConfigurations"] as JsonArray ?? [];

    [Fact]
    public void Fixtures_ArmExamples_HoldTheExpectedScaleSets()
    {
        var files = ScaleSetBodyRows().Select(row => row.File).Distinct().ToList();

        Assert.Contains("arm-examples/VirtualMachineScaleSet_Get.json", files);
        Assert.Contains("arm-examples/VirtualMachineScaleSet_Create_FromWithDisableTcpStateTrackingNetworkInterface.json", files);
        Assert.Contains("arm-examples/VirtualMachineScaleSet_Create_WithSkuProfile.json", files);
        Assert.Contains("arm-examples/VirtualMachineScaleSet_ListAll_MaximumSet_Gen.json", files);
        Assert.DoesNotContain("arm-examples/ListAvailableResourceSkusForARegion.json", files);
    }

    [Theory]
    [MemberData(nameof(ScaleSetBodies))]
    public async Task GetAsync_SpecExample_SnapshotMatchesTheJson(string file, string status, int index)
    {
        var body = Body(file, status, index);

        var (snapshot, emulator) = await ReadThroughTheAppAsync(body);

        var sku = body["sku"]!;
        Assert.Equal(body["location"]!.GetValue<string>(), snapshot.Location);
        Assert.Equal(sku["name"]!.GetValue<string>(), snapshot.SkuName);
        Assert.Equal(sku["capacity"]?.GetValue<long>(), snapshot.Capacity);
        var profileSizes = (body["properties"]?["skuProfile"]?["vmSizes"] as JsonArray)?.Select(s => s!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(profileSizes ?? [sku["name"]!.GetValue<string>()], snapshot.VmSizes);
        Assert.Equal(
            body["properties"]?["timeCreated"] is { } created ? DateTimeOffset.Parse(created.GetValue<string>(), CultureInfo.InvariantCulture) : null,
            snapshot.TimeCreated);

        var nics = NicsOf(body);
        Assert.Equal(nics.Select(n => n!["name"]!.GetValue<string>()), snapshot.NetworkInterfaces.Select(n => n.Name));
        Assert.Equal(nics.Select(n => n!["properties"]?["enableAcceleratedNetworking"]?.GetValue<bool>()), snapshot.NetworkInterfaces.Select(n => n.AcceleratedNetworking));
        Assert.Equal(nics.Select(n => n!["properties"]?["primary"]?.GetValue<bool>() ?? false), snapshot.NetworkInterfaces.Select(n => n.Primary));
        Assert.True(JsonNode.DeepEquals(nics, JsonNode.Parse(snapshot.RawNetworkInterfaceConfigurations)), $"{file}: raw NICs differ");
        Assert.Equal(emulator.GetETag(body["id"]!.GetValue<string>()), snapshot.ETag);
    }

    [Theory]
    [InlineData("200")]
    [InlineData("201")]
    public async Task GetAsync_DisableTcpStateTrackingExample_PrimaryOnSecondaryOff(string status)
    {
        var body = Body("arm-examples/VirtualMachineScaleSet_Create_FromWithDisableTcpStateTrackingNetworkInterface.json", status, 0);

        var (snapshot, _) = await ReadThroughTheAppAsync(body);

        // The example's placeholders are names like any other to the app.
        Assert.Equal(["{nicConfig1-name}", "{nicConfig2-name}"], snapshot.NetworkInterfaces.Select(n => n.Name));
        Assert.Equal([true, false], snapshot.NetworkInterfaces.Select(n => n.AcceleratedNetworking));
        Assert.Equal([true, false], snapshot.NetworkInterfaces.Select(n => n.Primary));
        var raw = JsonNode.Parse(snapshot.RawNetworkInterfaceConfigurations)!.AsArray();
        Assert.Equal([true, false], raw.Select(n => n!["properties"]!["disableTcpStateTracking"]!.GetValue<bool>()));
        Assert.Equal(["Standard_D1_v2"], snapshot.VmSizes);
        Assert.Equal(ScaleSetId.Create(ConformanceFixtures.Subscription, "myResourceGroup", "vmss-name"), snapshot.Id);
    }

    [Fact]
    public async Task GetAsync_GetExample_AnKeyAbsentIsNullAndTimeCreatedRead()
    {
        var body = Body("arm-examples/VirtualMachineScaleSet_Get.json", "200", 0);

        var (snapshot, _) = await ReadThroughTheAppAsync(body);

        var nic = Assert.Single(snapshot.NetworkInterfaces);
        Assert.Null(nic.AcceleratedNetworking);
        Assert.False(snapshot.AcceleratedNetworkingOnAny);
        Assert.Equal(new DateTimeOffset(2021, 6, 27, 1, 2, 38, TimeSpan.Zero).AddTicks(3138469), snapshot.TimeCreated);
        Assert.Equal(["Standard_D2s_v3"], snapshot.VmSizes);
        Assert.Equal(4, snapshot.Capacity);
    }

    [Fact]
    public async Task GetAsync_DiskControllerTypeExample_NoTimeCreatedIsNull()
    {
        var body = Body("arm-examples/VirtualMachineScaleSet_Get_WithDiskControllerType.json", "200", 0);

        var (snapshot, _) = await ReadThroughTheAppAsync(body);

        Assert.Null(snapshot.TimeCreated);
        Assert.Null(Assert.Single(snapshot.NetworkInterfaces).AcceleratedNetworking);
    }

    [Theory]
    [InlineData("200")]
    [InlineData("201")]
    public async Task GetAsync_SkuProfileExample_VmSizesAreTheProfilesSizes(string status)
    {
        var body = Body("arm-examples/VirtualMachineScaleSet_Create_WithSkuProfile.json", status, 0);

        var (snapshot, _) = await ReadThroughTheAppAsync(body);

        Assert.Equal("Mix", snapshot.SkuName);
        Assert.Equal(["Standard_D8s_v5", "Standard_E16s_v5", "Standard_D2s_v5"], snapshot.VmSizes);
        Assert.True(snapshot.IsMixedSize);
        Assert.Equal("Flexible", snapshot.OrchestrationMode);
        Assert.False(Assert.Single(snapshot.NetworkInterfaces).AcceleratedNetworking);
    }

    [Fact]
    public async Task GetAsync_ListAllExample_AnOnTheGeneratedScaleSet()
    {
        var body = Body("arm-examples/VirtualMachineScaleSet_ListAll_MaximumSet_Gen.json", "200", 0);

        var (snapshot, _) = await ReadThroughTheAppAsync(body);

        Assert.True(snapshot.AcceleratedNetworkingOnAll);
        Assert.Equal(["Standard_D1_v2"], snapshot.VmSizes);
        Assert.Equal("Uniform", snapshot.OrchestrationMode);
    }

    /// <summary>Examples whose scale set the SDK 1.2.0's model cannot read, and the field that makes it fail.</summary>
    public static TheoryData<string, string, int, string> RefusedBySdk120() => new()
    {
        { "arm-examples/VirtualMachineScaleSet_Create_CustomImageFromAnUnmanagedGeneralizedOsImage.json", "200", 0, "osDisk.image.uri" },
        { "arm-examples/VirtualMachineScaleSet_ListAll_MaximumSet_Gen.json", "200", 0, "certificateUrl, bootDiagnostics.storageUri" },
        { "arm-examples/VirtualMachineScaleSet_Update_MaximumSet_Gen.json", "200", 0, "bootDiagnostics.storageUri, osDisk.image.uri" },
    };

    [Theory]
    [MemberData(nameof(RefusedBySdk120))]
    public async Task GetAsync_ExampleTheSdk120ModelRefuses_TheAppReadsItFromArmsJson(string file, string status, int index, string field)
    {
        var body = Body(file, status, index);
        var emulator = new ArmEmulator();
        emulator.PutScaleSet(body.DeepClone().AsObject());
        var id = body["id"]!.GetValue<string>();

        // What the app did before it read ARM's JSON itself: the SDK's model throws on a field the app never uses.
        var sdk = ConformanceFixtures.Connection(emulator).Client.GetVirtualMachineScaleSetResource(new Azure.Core.ResourceIdentifier(id));
        var refused = await Record.ExceptionAsync(() => sdk.GetAsync());
        var snapshot = await new ArmScaleSetClient(ConformanceFixtures.Connection(emulator)).GetAsync(ScaleSetId.Parse(id), CancellationToken.None);

        Assert.True(refused is FormatException or UriFormatException or InvalidOperationException or ArgumentException, $"{file} ({field}): the SDK read it ({refused?.GetType().Name})");
        Assert.NotNull(snapshot);
        Assert.Equal(NicsOf(body).Count, snapshot.NetworkInterfaces.Count);
    }

    [Fact]
    public async Task GetAsync_CustomImageExample_PlaceholdersInFieldsTheAppNeedsAreKeptAsValues()
    {
        var body = Body("arm-examples/VirtualMachineScaleSet_Create_CustomImageFromAnUnmanagedGeneralizedOsImage.json", "201", 0);

        var (snapshot, _) = await ReadThroughTheAppAsync(body);

        Assert.Equal("{vmss-name}", Assert.Single(snapshot.NetworkInterfaces).Name);
        Assert.False(snapshot.AcceleratedNetworkingOnAny);
        Assert.Equal("Creating", snapshot.ProvisioningState);
        Assert.Equal(UpgradeMode.Manual, snapshot.UpgradePolicy.Mode);
    }
}
