using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Cli;

namespace AnFunctions.Tests.Conformance;

/// <summary>
/// The conformance scenarios (<c>tests/fixtures/scenarios/*.json</c>, the two cases of the scenario contract) through
/// <c>an simulate</c>, in process.
/// </summary>
public sealed class ScenarioConformanceTests
{
    private static string ScenarioPath(string name) => Path.Combine(ConformanceFixtures.Fixtures, "scenarios", name);

    private static List<string> ScenarioNames() =>
        ConformanceFixtures.Files("scenarios", "*.json").Select(Path.GetFileName).OfType<string>().ToList();

    public static TheoryData<string> Scenarios() => new(ScenarioNames());

    private static async Task<JsonObject> SimulateAsync(string name)
    {
        var path = ScenarioPath(name);
        Assert.True(File.Exists(path), $"{path} is missing");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await CliApp.RunAsync(["simulate", path], stdout, stderr);

        Assert.True(exit == 0, $"an simulate {name} exited {exit}: {stderr}");
        JsonNode? output;
        try
        {
            output = JsonNode.Parse(stdout.ToString());
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"an simulate {name} did not print JSON ({e.Message}): {stdout}");
        }

        return Assert.IsType<JsonObject>(output);
    }

    [Fact]
    public void Fixtures_ConformanceScenarios_AreThere()
    {
        var names = ScenarioNames();

        Assert.Contains("new-pool-gets-an.json", names);
        Assert.Contains("resize-existing-pool.json", names);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Simulate_ConformanceScenario_ExitsZeroWithTheContractFields(string name)
    {
        var result = await SimulateAsync(name);

        foreach (var field in new[] { "armWrites", "findings", "alerts", "pools" })
        {
            Assert.True(result[field] is JsonArray, $"{name}: '{field}' is missing or not an array: {result.ToJsonString()}");
        }
    }

    [Fact]
    public async Task Simulate_NewPoolGetsAn_OnePatchEnablingAnOnEveryNic()
    {
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(ScenarioPath("new-pool-gets-an.json")))!;
        var id = scenario["scaleSets"]![0]!["id"]!.GetValue<string>();
        var nicCount = scenario["scaleSets"]![0]!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray().Count;

        var result = await SimulateAsync("new-pool-gets-an.json");

        var write = Assert.Single(result["armWrites"]!.AsArray())!;
        Assert.Equal("PATCH", write["method"]!.GetValue<string>());
        Assert.Equal(id, write["resourceId"]!.GetValue<string>(), ignoreCase: true);
        var nics = write["body"]!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        Assert.Equal(nicCount, nics.Count);
        Assert.All(nics, nic => Assert.True(nic!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>()));
        var pool = Assert.Single(result["pools"]!.AsArray(), p => string.Equals(p!["resourceId"]!.GetValue<string>(), id, StringComparison.OrdinalIgnoreCase))!;
        Assert.True(pool["acceleratedNetworking"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Simulate_ResizeExistingPool_NoArmWrite()
    {
        var result = await SimulateAsync("resize-existing-pool.json");

        Assert.Empty(result["armWrites"]!.AsArray());
        var pool = Assert.Single(result["pools"]!.AsArray())!;
        Assert.Equal("Standard_D4s_v3", pool["vmSize"]!.GetValue<string>());
        Assert.False(pool["acceleratedNetworking"]!.GetValue<bool>());
    }
}
