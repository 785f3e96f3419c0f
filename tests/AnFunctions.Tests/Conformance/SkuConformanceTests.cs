using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Compute;

namespace AnFunctions.Tests.Conformance;

/// <summary>
/// Real Resource SKU data under <c>tests/fixtures/skus</c> served by the emulator and read by <see cref="ArmVmSizeSource"/>
/// through the Azure SDK.
/// </summary>
public sealed class SkuConformanceTests
{
    [Fact]
    public async Task ListAsync_SpecExampleForARegion_CapabilitiesReadAsTheJsonSays()
    {
        var example = ConformanceFixtures.ReadJson("arm-examples/ListAvailableResourceSkusForARegion.json");
        var region = example["parameters"]!["$filter"]!.GetValue<string>().Split('\'')[1];
        var values = example["responses"]!["200"]!["body"]!["value"]!.AsArray();
        var emulator = new ArmEmulator();
        emulator.AddSkusFromJson(example["responses"]!["200"]!["body"]!.ToJsonString());

        var sizes = await new ArmVmSizeSource(ConformanceFixtures.Connection(emulator)).ListAsync(ConformanceFixtures.Subscription, region, CancellationToken.None);

        Assert.Equal("westus", region);
        Assert.Equal(values.Select(v => v!["name"]!.GetValue<string>()), sizes.Select(s => s.Name));
        Assert.Equal(["Standard_A0", "Standard_A1"], sizes.Select(s => s.Name));
        foreach (var (sku, size) in values.Zip(sizes))
        {
            var declared = sku!["capabilities"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == "AcceleratedNetworkingEnabled")!["value"]!.GetValue<string>();
            Assert.Equal(declared == "True", size.AcceleratedNetworkingCapable);
            Assert.True(size.Available, $"{size.Name} has no restriction in the example");
        }

        Assert.All(sizes, s => Assert.False(s.SupportsAcceleratedNetworking));
        Assert.Equal(1, emulator.Count(ArmCallKind.ListSkus));
    }

    /// <summary>
    /// Every size of a real regional list (<c>az vm list-skus</c>, normalised by its generator): each entry is turned
    /// back into the ARM shape (capability <c>AcceleratedNetworkingEnabled</c> "True"/"False" as the generator read it;
    /// each reason code a Location restriction for the region), served, read, and compared.
    /// </summary>
    [Theory]
    [InlineData("eastus")]
    [InlineData("westeurope")]
    [InlineData("westus2")]
    public async Task ListAsync_RealRegionalSkuList_EverySizeReadAsListed(string region)
    {
        var list = ConformanceFixtures.ReadJson($"skus/djtools-vm-sku-locator/{region}.json");
        Assert.Equal(region, list["region"]!.GetValue<string>());
        var entries = list["skus"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var expected = entries.ToDictionary(
            e => e["name"]!.GetValue<string>(),
            e => (An: e["acceleratedNetworking"]!.GetValue<bool>(), Restricted: e["restrictions"]!.AsArray().Count > 0),
            StringComparer.OrdinalIgnoreCase);
        var emulator = new ArmEmulator();
        emulator.SetSkus(entries.Select(e => ToResourceSku(e, region)));

        var sizes = await new ArmVmSizeSource(ConformanceFixtures.Connection(emulator)).ListAsync(ConformanceFixtures.Subscription, region, CancellationToken.None);

        var capable = expected.Count(e => e.Value.An);
        var restricted = expected.Count(e => e.Value.Restricted);
        var summary = $"{region}: {expected.Count} sizes listed ({capable} AN-capable, {restricted} restricted), {sizes.Count} read";
        Assert.True(sizes.Count == expected.Count, summary);
        Assert.Equal(expected.Keys.Order(StringComparer.OrdinalIgnoreCase), sizes.Select(s => s.Name).Order(StringComparer.OrdinalIgnoreCase));
        var capabilityMismatches = sizes.Where(s => s.AcceleratedNetworkingCapable != expected[s.Name].An).Select(s => s.Name).ToList();
        Assert.True(capabilityMismatches.Count == 0, $"{summary}; AcceleratedNetworkingCapable differs for {capabilityMismatches.Count}: {string.Join(", ", capabilityMismatches.Take(20))}");
        var availabilityMismatches = sizes.Where(s => s.Available == expected[s.Name].Restricted).Select(s => s.Name).ToList();
        Assert.True(availabilityMismatches.Count == 0, $"{summary}; Available differs for {availabilityMismatches.Count}: {string.Join(", ", availabilityMismatches.Take(20))}");
        Assert.All(sizes.Where(s => !s.Available), s => Assert.Equal("NotAvailableForSubscription", s.RestrictionReason));
        var supportMismatches = sizes.Where(s => s.SupportsAcceleratedNetworking != (expected[s.Name].An && !expected[s.Name].Restricted)).Select(s => s.Name).ToList();
        Assert.True(supportMismatches.Count == 0, $"{summary}; SupportsAcceleratedNetworking differs for {supportMismatches.Count}");
        Assert.Equal(1, emulator.Count(ArmCallKind.ListSkus));
    }

    /// <summary>One entry of the normalised list as ARM's <c>Microsoft.Compute/skus</c> returns it for the region.</summary>
    private static JsonObject ToResourceSku(JsonObject entry, string region)
    {
        string Text(string name) => entry[name]?.ToString() ?? string.Empty;
        var restrictions = new JsonArray();
        foreach (var reason in entry["restrictions"]!.AsArray())
        {
            restrictions.Add(new JsonObject
            {
                ["type"] = "Location",
                ["values"] = new JsonArray(region),
                ["restrictionInfo"] = new JsonObject { ["locations"] = new JsonArray(region) },
                ["reasonCode"] = reason!.GetValue<string>(),
            });
        }

        return new JsonObject
        {
            ["resourceType"] = "virtualMachines",
            ["name"] = Text("name"),
            ["tier"] = Text("tier"),
            ["size"] = Text("size"),
            ["family"] = Text("family"),
            ["locations"] = new JsonArray(region),
            ["locationInfo"] = new JsonArray(new JsonObject
            {
                ["location"] = region,
                ["zones"] = entry["zones"]?.DeepClone() ?? new JsonArray(),
            }),
            ["capabilities"] = new JsonArray(
                new JsonObject { ["name"] = "vCPUs", ["value"] = Text("vCPUs") },
                new JsonObject { ["name"] = "MemoryGB", ["value"] = Text("memoryGB") },
                new JsonObject { ["name"] = "MaxNetworkInterfaces", ["value"] = Text("maxNICs") },
                new JsonObject { ["name"] = "AcceleratedNetworkingEnabled", ["value"] = entry["acceleratedNetworking"]!.GetValue<bool>() ? "True" : "False" }),
            ["restrictions"] = restrictions,
        };
    }
}
