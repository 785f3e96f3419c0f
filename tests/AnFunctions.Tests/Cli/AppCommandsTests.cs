using System.Text.Json.Nodes;
using AnFunctions.Cli;

namespace AnFunctions.Tests.Cli;

/// <summary>
/// <c>an explain|reconcile|audit|findings</c> against the emulator seeded from a scenario, and <c>simulate</c>'s http
/// steps: output shapes, tables and exit codes.
/// </summary>
public sealed class AppCommandsTests
{
    private const string Pool = "/subscriptions/6d3f8b21-4c7a-4e19-a2b5-0f9e8d7c6b5a/resourceGroups/k8s-prod-neu/providers/Microsoft.Compute/virtualMachineScaleSets/aks-gpu-pool";
    private static readonly string NewPool = Path.Combine(RepoPaths.Scenarios, "new-pool-gets-an.json");

    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Explain_JsonOutput_HasTheEvidenceAndThePreview()
    {
        var (exit, stdout, stderr) = await RunAsync("explain", Pool, "--emulator", NewPool, "--output", "json");

        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal(Pool, json["resourceId"]!.GetValue<string>());
        Assert.Equal("Supported", json["support"]!.GetValue<string>());
        Assert.Equal("WouldEnableAcceleratedNetworking", json["decision"]!["outcome"]!.GetValue<string>());
        Assert.True(json["decision"]!["isNewPool"]!.GetValue<bool>());
        Assert.NotNull(json["skuListReadAt"]);
    }

    [Fact]
    public async Task Explain_TableOutput_NamesTheDecisionAndTheSize()
    {
        var (exit, stdout, _) = await RunAsync("explain", Pool, "--emulator", NewPool);

        Assert.Equal(0, exit);
        Assert.Contains("WouldEnableAcceleratedNetworking", stdout, StringComparison.Ordinal);
        Assert.Contains("Standard_D8ds_v5", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconcile_DryRunJson_ReturnsThePlannedPatchNotSent()
    {
        var (exit, stdout, stderr) = await RunAsync("reconcile", Pool, "--dry-run", "--emulator", NewPool, "-o", "json");

        Assert.True(exit == 0, stderr);
        var json = JsonNode.Parse(stdout)!;
        Assert.Equal("WouldEnableAcceleratedNetworking", json["outcome"]!.GetValue<string>());
        Assert.False(json["writeSent"]!.GetValue<bool>());
        Assert.Equal("PATCH", json["write"]!["method"]!.GetValue<string>());
        Assert.True(json["write"]!["body"]!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Reconcile_Real_SendsTheWrite()
    {
        var (exit, stdout, stderr) = await RunAsync("reconcile", Pool, "--emulator", NewPool, "--output", "json");

        Assert.True(exit == 0, stderr);
        Assert.True(JsonNode.Parse(stdout)!["writeSent"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Audit_FailOnInfo_ReportsTheRunAndExits1ForTheOpenFinding()
    {
        // pools-left-alone holds five pools; two are existing pools on AN-capable sizes without AN: two
        // informational findings (AcceleratedNetworkingAvailableButOff), nothing worse.
        var scenario = Path.Combine(RepoPaths.Scenarios, "pools-left-alone.json");

        var (exit, stdout, stderr) = await RunAsync("audit", "--emulator", scenario, "--output", "json", "--fail-on", "info");

        var run = JsonNode.Parse(stdout)!;
        Assert.Equal("cli", run["trigger"]!.GetValue<string>());
        Assert.Equal(5, run["poolsSeen"]!.GetValue<int>());
        Assert.Equal(2, run["findingsOpenedCount"]!.GetValue<int>());
        Assert.Contains("auditing", stderr, StringComparison.Ordinal);
        Assert.Equal(1, exit);
    }

    [Fact]
    public async Task Audit_FailOnWarningWithOnlyInfoFindings_Exits0()
    {
        var (exit, _, stderr) = await RunAsync("audit", "--emulator", Path.Combine(RepoPaths.Scenarios, "pools-left-alone.json"), "--output", "json", "--fail-on", "warning");

        Assert.True(exit == 0, stderr);
    }

    [Fact]
    public async Task Audit_DryRunWithoutFailOn_Exits0()
    {
        var (exit, stdout, stderr) = await RunAsync("audit", "--emulator", NewPool, "--dry-run");

        Assert.True(exit == 0, stderr);
        Assert.Contains("pools seen", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Findings_Json_IsAnItemsArray()
    {
        var (exit, stdout, stderr) = await RunAsync("findings", "--emulator", NewPool, "--status", "open", "--output", "json");

        Assert.True(exit == 0, stderr);
        Assert.NotNull(JsonNode.Parse(stdout)!["items"]!.AsArray());
    }

    [Fact]
    public async Task Audit_EmulatorScenarioWithAWrongAuditSetting_Exits2NamingTheKey()
    {
        var scenario = JsonNode.Parse(await File.ReadAllTextAsync(NewPool))!.AsObject();
        scenario["settings"] = new JsonObject { ["Audit:Schedule"] = "every 30 minutes" };
        var path = Path.Combine(Path.GetTempPath(), $"wrong-audit-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, scenario.ToJsonString());
        try
        {
            var (exit, stdout, stderr) = await RunAsync("audit", "--emulator", path, "--dry-run");

            Assert.Equal(2, exit);
            Assert.Empty(stdout);
            Assert.Contains(Path.GetFileName(path), stderr, StringComparison.Ordinal);
            Assert.Contains("Audit:Schedule must be a six-field NCRONTAB expression", stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("explain", "/subscriptions/../../etc")]
    [InlineData("explain", "--output", "yaml")]
    [InlineData("reconcile")]
    [InlineData("findings", "--severity", "9")]
    [InlineData("findings", "--fail-on", "loud")]
    [InlineData("audit", "--subscription", "not-a-guid")]
    [InlineData("explain", "/subscriptions/6d3f8b21-4c7a-4e19-a2b5-0f9e8d7c6b5a/resourceGroups/k8s-prod-neu/providers/Microsoft.Compute/virtualMachineScaleSets/nowhere")]
    public async Task Command_BadUsage_Exits2(params string[] args)
    {
        var (exit, _, stderr) = await RunAsync([.. args, "--emulator", NewPool]);

        Assert.Equal(2, exit);
        Assert.Contains("error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulate_HttpSteps_AreAnsweredByTheHttpFunctionsAndRecorded()
    {
        var (exit, stdout, stderr) = await RunAsync("simulate", Path.Combine(RepoPaths.Scenarios, "http-on-call.json"));

        Assert.True(exit == 0, stderr);
        var result = JsonNode.Parse(stdout)!;
        var http = result["http"]!.AsArray();
        Assert.Equal([200, 200, 200, 200, 202, 200, 400], http.Select(h => h!["status"]!.GetValue<int>()));
        Assert.Equal("WouldEnableAcceleratedNetworking", http[1]!["body"]!["outcome"]!.GetValue<string>());
        Assert.True(http[2]!["body"]!["writeSent"]!.GetValue<bool>());
        Assert.Equal("ExistingPoolKnown", http[3]!["body"]!["reason"]!.GetValue<string>());
        Assert.Equal("Completed", http[4]!["body"]!["status"]!.GetValue<string>());
        Assert.Equal("https://anfunctions.dev/problems/invalid-resource-id", http[6]!["body"]!["type"]!.GetValue<string>());
        var write = Assert.Single(result["armWrites"]!.AsArray())!;
        Assert.True(JsonNode.DeepEquals(http[1]!["body"]!["write"]!["body"], write["body"]));
        Assert.True(Assert.Single(result["pools"]!.AsArray())!["acceleratedNetworking"]!.GetValue<bool>());
    }
}
