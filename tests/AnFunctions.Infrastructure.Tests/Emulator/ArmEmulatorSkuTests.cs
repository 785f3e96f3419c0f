using AnFunctions.Emulator;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using static AnFunctions.Infrastructure.Tests.Emulator.EmulatorTestData;

namespace AnFunctions.Infrastructure.Tests.Emulator;

public sealed class ArmEmulatorSkuTests
{
    private readonly ArmEmulator _emulator = new();

    public ArmEmulatorSkuTests() =>
        _emulator.SetSkus(
        [
            VmSku("Standard_D4s_v5", "westeurope", acceleratedNetworking: true, vcpus: 4),
            VmSku("Standard_A1_v2", "westeurope", acceleratedNetworking: false, vcpus: 1),
            VmSku("Standard_D64s_v5", "westeurope", acceleratedNetworking: true, vcpus: 64, restrictedReason: "NotAvailableForSubscription"),
            VmSku("Standard_D4s_v5", "eastus", acceleratedNetworking: true, vcpus: 4),
        ]);

    [Fact]
    public async Task GetComputeResourceSkusAsync_LocationFilter_ReturnsThatLocationWithCapabilitiesAndRestrictions()
    {
        var client = EmulatorArm.CreateClient(_emulator);
        var subscription = client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(SubscriptionId));

        var skus = new List<ComputeResourceSku>();
        await foreach (var sku in subscription.GetComputeResourceSkusAsync(filter: "location eq 'WestEurope'"))
        {
            skus.Add(sku);
        }

        Assert.Equal(["Standard_D4s_v5", "Standard_A1_v2", "Standard_D64s_v5"], skus.Select(s => s.Name));
        Assert.All(skus, s => Assert.Equal(["westeurope"], s.Locations.Select(l => l.Name)));
        var small = skus.Single(s => s.Name == "Standard_A1_v2");
        Assert.Equal("False", small.Capabilities.Single(c => c.Name == "AcceleratedNetworkingEnabled").Value);
        Assert.Equal("1", small.Capabilities.Single(c => c.Name == "vCPUs").Value);
        var restricted = Assert.Single(skus.Single(s => s.Name == "Standard_D64s_v5").Restrictions);
        Assert.Equal(ComputeResourceSkuRestrictionsType.Location, restricted.RestrictionsType);
        Assert.Equal(ComputeResourceSkuRestrictionsReasonCode.NotAvailableForSubscription, restricted.ReasonCode);
        Assert.Equal(["westeurope"], restricted.RestrictionInfo.Locations.Select(l => l.Name));
        Assert.Equal(1, _emulator.Count(ArmCallKind.ListSkus));
    }

    [Fact]
    public async Task GetComputeResourceSkusAsync_NoFilter_ReturnsEverySkuForAnySubscription()
    {
        var client = EmulatorArm.CreateClient(_emulator);
        var subscription = client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(OtherSubscriptionId));

        var count = 0;
        await foreach (var _ in subscription.GetComputeResourceSkusAsync())
        {
            count++;
        }

        Assert.Equal(4, count);
    }

    [Fact]
    public async Task ListSkus_UrlEncodedFilter_IsDecoded()
    {
        using var http = EmulatorArm.CreateHttpClient(_emulator);

        var json = await http.GetStringAsync(new Uri(
            $"/subscriptions/{SubscriptionId}/providers/Microsoft.Compute/skus?api-version=2021-07-01&$filter=location%20eq%20%27eastus%27", UriKind.Relative));

        var skus = System.Text.Json.Nodes.JsonNode.Parse(json)!["value"]!.AsArray();
        Assert.Equal("Standard_D4s_v5", Assert.Single(skus)!["name"]!.GetValue<string>());
    }

    [Fact]
    public void AddSkusFromJson_ListAnswerShape_AddsEveryValue()
    {
        var emulator = new ArmEmulator();

        emulator.AddSkusFromJson("""{"value":[{"resourceType":"virtualMachines","name":"Standard_B1s","locations":["westus"]}]}""");
        emulator.AddSkusFromJson("""[{"resourceType":"virtualMachines","name":"Standard_B2s","locations":["westus"]}]""");

        Assert.Equal(["Standard_B1s", "Standard_B2s"], emulator.Skus.Select(s => s["name"]!.GetValue<string>()));
    }
}
