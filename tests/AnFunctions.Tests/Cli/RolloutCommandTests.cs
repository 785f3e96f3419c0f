using System.Text.Json.Nodes;
using AnFunctions.Cli;

namespace AnFunctions.Tests.Cli;

/// <summary><c>an rollout</c> against the emulator seeded from a scenario: the plan, refusals and exit codes.</summary>
public sealed class RolloutCommandTests
{
    private static readonly string Scenario = Path.Combine(RepoPaths.Scenarios, "automatic-empty.json");
    private const string Pool = "/subscriptions/6d3f8b21-4c7a-4e19-a2b5-0f9e8d7c6b5a/resourceGroups/k8s-prod-neu/providers/Microsoft.Compute/virtualMachineScaleSets/pool-auto-empty";
    private const string ModelWithoutAn = "/subscriptions/6d3f8b21-4c7a-4e19-a2b5-0f9e8d7c6b5a/resourceGroups/k8s-prod-neu/providers/Microsoft.Compute/virtualMachineScaleSets/pool-rollout";

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Rollout_ModelWithoutAn_RefusedAsUsageWithTheReason()
    {
        var (exit, stdout, stderr) = await RunAsync("rollout", ModelWithoutAn, "--emulator", Path.Combine(RepoPaths.Scenarios, "rollout-on-request.json"));

        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("ModelWithoutAcceleratedNetworking", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_PoolWithoutNodes_NothingToDoJson()
    {
        var (exit, stdout, stderr) = await RunAsync("rollout", Pool, "--emulator", WithModelAn(), "--output", "json", "--apply");

        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal("nothingToDo", json["status"]!.GetValue<string>());
        Assert.Empty(json["plan"]!["batches"]!.AsArray());
    }

    [Fact]
    public async Task Rollout_BatchAboveMaxUnavailable_Refused()
    {
        var (exit, _, stderr) = await RunAsync("rollout", Pool, "--emulator", WithModelAn(), "--batch-size", "2");

        Assert.Equal(2, exit);
        Assert.Contains("BatchTooLarge", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollout_BatchSizeZero_UsageError()
    {
        var (exit, _, stderr) = await RunAsync("rollout", Pool, "--emulator", WithModelAn(), "--batch-size", "0");

        Assert.Equal(2, exit);
        Assert.Contains("--batch-size", stderr, StringComparison.Ordinal);
    }

    /// <summary>The scenario's pool with AN on its model (as after the app's write) and no node.</summary>
    private static string WithModelAn()
    {
        var scenario = JsonNode.Parse(File.ReadAllText(Scenario))!.AsObject();
        foreach (var nic in scenario["scaleSets"]![0]!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray())
        {
            nic!["properties"]!["enableAcceleratedNetworking"] = true;
        }

        var path = Path.Combine(Path.GetTempPath(), $"rollout-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, scenario.ToJsonString());
        return path;
    }
}
