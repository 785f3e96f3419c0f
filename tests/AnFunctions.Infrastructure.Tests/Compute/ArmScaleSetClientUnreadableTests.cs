using System.Text.Json.Nodes;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Compute;
using static AnFunctions.Infrastructure.Tests.Compute.ComputeTestData;

namespace AnFunctions.Infrastructure.Tests.Compute;

/// <summary>
/// The app reads only what its decisions need from ARM's JSON: a field it does not use may hold anything (the SDK
/// 1.2.0's model would refuse some values), and a field it needs that cannot be read is named in the error.
/// </summary>
public sealed class ArmScaleSetClientUnreadableTests
{
    private readonly ArmEmulator _emulator = new();
    private readonly ArmScaleSetClient _client;

    public ArmScaleSetClientUnreadableTests() => _client = new ArmScaleSetClient(EmulatorConnection.Create(_emulator));

    [Fact]
    public async Task GetAsync_FieldsTheAppDoesNotUseHoldValuesTheSdkModelRefuses_ThePoolIsRead()
    {
        var vmss = Uniform("odd");
        vmss["identity"] = new JsonObject { ["type"] = "UserAssigned", ["principalId"] = "aaaa", ["tenantId"] = "aaaa" };
        vmss["properties"]!["virtualMachineProfile"]!["diagnosticsProfile"] = new JsonObject { ["bootDiagnostics"] = new JsonObject { ["enabled"] = true, ["storageUri"] = "aaaaaaaaaaaaaaaaaaa" } };
        vmss["properties"]!["virtualMachineProfile"]!["storageProfile"] = new JsonObject { ["osDisk"] = new JsonObject { ["image"] = new JsonObject { ["uri"] = "http://{existing-storage-account-name}.blob.core.windows.net/vhds/os.vhd" } } };
        vmss["properties"]!["virtualMachineProfile"]!["osProfile"] = new JsonObject { ["secrets"] = new JsonArray(new JsonObject { ["vaultCertificates"] = new JsonArray(new JsonObject { ["certificateUrl"] = "aaaaaaa" }) }) };
        _emulator.PutScaleSet(vmss);

        var snapshot = await _client.GetAsync(ScaleSetId.Parse(Id("odd")), CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(["odd-nic-0", "odd-nic-1"], snapshot.NetworkInterfaces.Select(n => n.Name));
    }

    public static TheoryData<string, Action<JsonObject>, string> Unreadable() => new()
    {
        { "timeCreated is not a date", v => v["properties"]!["timeCreated"] = "yesterday", "properties.timeCreated 'yesterday' is not a date" },
        { "AN is not a boolean", v => v["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = "yes", "networkInterfaceConfigurations[0].properties.enableAcceleratedNetworking is 'yes', not true or false" },
        { "a NIC without a name", v => v["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![1]!.AsObject().Remove("name"), "networkInterfaceConfigurations[1].name is missing" },
        { "capacity is not a number", v => v["sku"]!["capacity"] = "three", "sku.capacity is 'three', not a whole number" },
        { "no location", v => v.Remove("location"), "location is missing or empty" },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task GetAsync_AFieldTheAppNeedsCannotBeRead_TerminalErrorNamingTheField(string name, Action<JsonObject> spoil, string expected)
    {
        var vmss = Uniform("odd");
        spoil(vmss);
        _emulator.PutScaleSet(vmss);

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => _client.GetAsync(ScaleSetId.Parse(Id("odd")), CancellationToken.None));

        Assert.False(error.IsTransient, name);
        Assert.Equal(ArmScaleSetClient.UnreadableStatus, error.Status);
        Assert.Equal("UnreadableResource", error.ErrorCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_OneUnreadableAmongOthers_ItIsNamedWithTheReasonAndTheOthersAreRead()
    {
        _emulator.PageSize = 2;
        _emulator.PutScaleSet(Uniform("pool-a"));
        var odd = Uniform("pool-b");
        odd["properties"]!["timeCreated"] = "not-a-date";
        _emulator.PutScaleSet(odd);
        _emulator.PutScaleSet(Uniform("pool-c"));

        var items = new List<ScaleSetListItem>();
        await foreach (var item in _client.ListAsync(Subscription, CancellationToken.None))
        {
            items.Add(item);
        }

        Assert.Equal(3, items.Count);
        Assert.Equal(["pool-a", "pool-c"], items.Where(i => i.ScaleSet is not null).Select(i => i.ScaleSet!.Id.Name));
        var unreadable = Assert.Single(items, i => i.ScaleSet is null);
        Assert.Equal(Id("pool-b"), unreadable.ResourceId, ignoreCase: true);
        Assert.Equal("properties.timeCreated 'not-a-date' is not a date", unreadable.Problem);
    }
}
