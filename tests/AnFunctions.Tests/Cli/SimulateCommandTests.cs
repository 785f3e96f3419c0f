using System.Text.Json.Nodes;
using AnFunctions.Cli;

namespace AnFunctions.Tests.Cli;

/// <summary><c>an simulate</c> as users run it: the scenario files of this repository, and broken ones.</summary>
public sealed class SimulateCommandTests
{
    private static async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static async Task<JsonObject> SimulateAsync(string scenario)
    {
        var (exit, stdout, stderr) = await RunAsync("simulate", Path.Combine(RepoPaths.Scenarios, scenario));
        Assert.True(exit == 0, stderr);
        return JsonNode.Parse(stdout)!.AsObject();
    }

    [Fact]
    public async Task Simulate_NewPool_PrintsTheAnPatchAndTheFinalPool()
    {
        var result = await SimulateAsync("new-pool-gets-an.json");

        var write = Assert.Single(result["armWrites"]!.AsArray())!;
        Assert.Equal("PATCH", write["method"]!.GetValue<string>());
        Assert.EndsWith("/virtualMachineScaleSets/aks-gpu-pool", write["resourceId"]!.GetValue<string>(), StringComparison.Ordinal);
        var nics = write["body"]!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        Assert.All(nics, n => Assert.True(n!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>()));
        var pool = Assert.Single(result["pools"]!.AsArray())!;
        Assert.True(pool["acceleratedNetworking"]!.GetValue<bool>());
        Assert.Equal("Standard_D8ds_v5", pool["vmSize"]!.GetValue<string>());
        Assert.Equal("Duplicate", result["events"]![1]!["disposition"]!.GetValue<string>());
    }

    [Fact]
    public async Task Simulate_PoolsThatMustBeLeftAlone_WritesNothingAndSaysWhyForEach()
    {
        var result = await SimulateAsync("pools-left-alone.json");

        Assert.Empty(result["armWrites"]!.AsArray());
        var reasons = result["decisions"]!.AsArray().Select(d => d!["reason"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["ExistingPoolOutsideWindow", "OptedOut", "OutOfScope", "SizeNotSupported", "SizeNotSupported", "SizeNotSupported"], reasons);
    }

    [Fact]
    public async Task Simulate_DryRun_RecordsTheDecisionAndWritesNothing()
    {
        var result = await SimulateAsync("dry-run.json");

        Assert.Empty(result["armWrites"]!.AsArray());
        Assert.Equal("WouldEnableAcceleratedNetworking", Assert.Single(result["decisions"]!.AsArray())!["outcome"]!.GetValue<string>());
        Assert.False(Assert.Single(result["pools"]!.AsArray())!["acceleratedNetworking"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Simulate_LostEventAndMalformedEvent_AuditEnablesAndTheBadEventIsRejected()
    {
        var result = await SimulateAsync("lost-event-audit.json");

        Assert.Single(result["armWrites"]!.AsArray());
        var events = result["events"]!.AsArray();
        Assert.Equal("Rejected", events.Single(e => e!["eventId"]!.GetValue<string>() == "bad-1")!["disposition"]!.GetValue<string>());
        Assert.Equal("Ignored", events.Single(e => e!["eventId"]!.GetValue<string>() == "unrelated-1")!["disposition"]!.GetValue<string>());
        Assert.Single(result["pools"]!.AsArray());
    }

    [Fact]
    public async Task Simulate_ResourceGraphAudit_SameVerdictsAsArmsListingNewPoolReadFromArmBeforeItsWrite()
    {
        var byGraph = await SimulateAsync("resource-graph-audit.json");
        var byArm = await SimulateAsync("lost-event-audit.json");

        foreach (var part in new[] { "armWrites", "findings", "pools", "alerts" })
        {
            Assert.Equal(byArm[part]!.ToJsonString(), byGraph[part]!.ToJsonString());
        }

        // The first audit's one query; the second's failed (503) and every subscription was listed from ARM instead.
        var calls = byGraph["armCalls"]!.AsObject();
        Assert.Equal((2, 1, 1), (calls["ResourceGraphQuery"]!.GetValue<int>(), calls["ListScaleSets"]!.GetValue<int>(), calls["GetScaleSet"]!.GetValue<int>()));
        Assert.Null(byArm["armCalls"]!["GetScaleSet"]);
    }

    [Fact]
    public async Task Simulate_ResizeWithoutAn_WarnsOnceRenotifiesAfterFourHoursAndResolvesOnDelete()
    {
        var result = await SimulateAsync("resize-without-an.json");

        Assert.Empty(result["armWrites"]!.AsArray());
        var finding = Assert.Single(result["findings"]!.AsArray())!;
        Assert.Equal("SizeChangedWithoutAcceleratedNetworking", finding["kind"]!.GetValue<string>());
        Assert.Equal("warning", finding["severity"]!.GetValue<string>());
        Assert.Equal("resolved", finding["status"]!.GetValue<string>());
        var alerts = result["alerts"]!.AsArray().Select(a => (a!["action"]!.GetValue<string>(), a["at"]!.GetValue<DateTimeOffset>())).ToList();
        Assert.Equal(
            [("trigger", DateTimeOffset.Parse("2026-11-25T10:00:05Z")), ("trigger", DateTimeOffset.Parse("2026-11-25T14:30:00Z")), ("resolve", DateTimeOffset.Parse("2026-11-25T15:00:10Z"))],
            alerts);
        Assert.All(result["alerts"]!.AsArray(), a => Assert.Equal(finding["id"]!.GetValue<string>(), a!["findingId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Simulate_RefusedResize_WarningNamesAttemptedSizeAndError()
    {
        var result = await SimulateAsync("resize-refused.json");

        var finding = Assert.Single(result["findings"]!.AsArray())!;
        Assert.Equal("SizeChangeRefused", finding["kind"]!.GetValue<string>());
        Assert.Equal("warning", finding["severity"]!.GetValue<string>());
        Assert.Contains("Standard_A2_v2", finding["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", finding["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["trigger", "resolve"], result["alerts"]!.AsArray().Select(a => a!["action"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Simulate_ActivityLogLag_RaisedPendingAndCompletedToAWarningThatPagesOnce()
    {
        var result = await SimulateAsync("refused-activity-log-lag.json");

        var finding = Assert.Single(result["findings"]!.AsArray())!;
        Assert.Equal("warning", finding["severity"]!.GetValue<string>());
        Assert.False(finding["evidence"]!["activityLogPending"]!.GetValue<bool>());
        Assert.Equal("Standard_A2_v2", finding["evidence"]!["attemptedSizes"]![0]!.GetValue<string>());
        var alert = Assert.Single(result["alerts"]!.AsArray())!;
        Assert.Equal("trigger", alert["action"]!.GetValue<string>());
    }

    [Fact]
    public async Task Simulate_Output_IsOnlyJsonOnStdout()
    {
        var (exit, stdout, _) = await RunAsync("simulate", Path.Combine(RepoPaths.Scenarios, "lost-event-audit.json"));

        Assert.Equal(0, exit);
        Assert.NotNull(JsonNode.Parse(stdout));
    }

    public static TheoryData<string, string> BrokenScenarios() => new()
    {
        { "{", "not valid JSON" },
        { "[]", "(root): must be a JSON object" },
        { """{"steps":[]}""", "start: is required" },
        { """{"start":"yesterday"}""", "start: 'yesterday' is not an ISO 8601 instant" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"AcceleratedNetworking:DryRunn":"true"}}""", "settings.AcceleratedNetworking:DryRunn: unknown setting" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"AcceleratedNetworking:NewPoolWindow":"2.00:00:00"}}""", "AcceleratedNetworking:NewPoolWindow must lie between" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"Audit:Schedule":"every 30 minutes"}}""", "settings: DataAnnotation validation failed for 'AuditOptions' members: 'Schedule' with the error: 'Audit:Schedule must be a six-field NCRONTAB expression" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"Alerts:RenotifyInterval":"00:00:10"}}""", "Alerts:RenotifyInterval" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"AcceleratedNetworking:DryRun":"maybe"}}""", "settings: Failed to convert configuration value 'maybe' at 'AcceleratedNetworking:DryRun' to type 'System.Boolean'" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"Audit:SubscriptionConcurrency":"four"}}""", "'four' at 'Audit:SubscriptionConcurrency'" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"AcceleratedNetworking:NewPoolWindow":"2.00:00:00","Audit:SubscriptionConcurrency":"0"}}""", "AcceleratedNetworking:NewPoolWindow must lie between" },
        { """{"start":"2026-11-25T10:00:00Z","settings":{"AcceleratedNetworking:NewPoolWindow":"2.00:00:00","Audit:SubscriptionConcurrency":"0"}}""", "Audit:SubscriptionConcurrency must lie between" },
        { """{"start":"2026-11-25T10:00:00Z","scaleSets":[{"id":"/subscriptions/x"}]}""", "scaleSets[0].id: '/subscriptions/x' is not a virtual machine scale set id" },
        { """{"start":"2026-11-25T10:00:00Z","steps":[{"at":"2026-11-25T09:00:00Z","audit":{}}]}""", "steps[0].at: moves the clock back" },
        { """{"start":"2026-11-25T10:00:00Z","steps":[{"audit":{},"event":{}}]}""", "steps[0]: must have exactly one of" },
        { """{"start":"2026-11-25T10:00:00Z","steps":[{"azure":{"resize":{}}}]}""", "steps[0].azure" },
        { """{"start":"2026-11-25T10:00:00Z","steps":[{"event":"text"}]}""", "steps[0].event: must be an event object" },
        { """{"start":"2026-11-25T10:00:00Z","steps":[{"azure":{"failedWrite":{"resourceId":"/subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/v","correlationId":"c"}}}]}""", "steps[0].azure.failedWrite.error: is required" },
        { """{"start":"2026-11-25T10:00:00Z","typo":1}""", "typo: unknown field" },
        { """{"start":"2026-11-25T10:00:00Z","name":"\uD83D"}""", "(text): not valid JSON text" },
    };

    [Theory]
    [MemberData(nameof(BrokenScenarios))]
    public async Task Simulate_InvalidScenario_ExitsTwoNamingFileAndPlace(string content, string expected)
    {
        var path = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, content);
        try
        {
            var (exit, stdout, stderr) = await RunAsync("simulate", path);

            Assert.Equal(2, exit);
            Assert.Empty(stdout);
            Assert.Contains(Path.GetFileName(path), stderr, StringComparison.Ordinal);
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Simulate_MissingFile_ExitsTwo()
    {
        var (exit, _, stderr) = await RunAsync("simulate", "/nonexistent/scenario.json");

        Assert.Equal(2, exit);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_ExitsNonZeroWithoutStdout()
    {
        var (exit, stdout, _) = await RunAsync("frobnicate");

        Assert.NotEqual(0, exit);
        Assert.Empty(stdout);
    }
}
