using System.Text.Json.Nodes;
using AnFunctions.Cli;

namespace AnFunctions.Tests.Cli;

/// <summary>
/// The scenarios of issue 10 and the contract v2 ones, through <c>an simulate</c>: what happens to the nodes under each
/// upgrade policy and owner, Event Grid's redeliveries, and two rules that hold in every scenario of the repository.
/// </summary>
public sealed class SafeRolloutScenarioTests
{
    private static async Task<JsonObject> SimulateAsync(string scenario)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(["simulate", Path.Combine(RepoPaths.Scenarios, scenario)], stdout, stderr);
        Assert.True(exit == 0, $"{scenario}: exit {exit}: {stderr}");
        return JsonNode.Parse(stdout.ToString())!.AsObject();
    }

    private static string Name(JsonNode? node) => node!["resourceId"]!.GetValue<string>().Split('/')[^1];

    private static List<(string Pool, string Kind, string Severity, string Status)> Findings(JsonObject result) =>
        result["findings"]!.AsArray().Select(f => (Name(f), f!["kind"]!.GetValue<string>(), f["severity"]!.GetValue<string>(), f["status"]!.GetValue<string>())).ToList();

    private static JsonNode Pool(JsonObject result, string name) => result["pools"]!.AsArray().Single(p => Name(p) == name)!;

    private static (int Total, int Running, int An, int Latest) Nodes(JsonObject result, string name)
    {
        var i = Pool(result, name)["instances"]!;
        return (i["total"]!.GetValue<int>(), i["running"]!.GetValue<int>(), i["acceleratedNetworking"]!.GetValue<int>(), i["onLatestModel"]!.GetValue<int>());
    }

    public static TheoryData<string> EveryScenario() =>
        new(Directory.EnumerateFiles(RepoPaths.Scenarios, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(EveryScenario))]
    public async Task EveryScenario_NoDisruptionTakesMoreThanMaxUnavailableNodesDown(string scenario)
    {
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Scenarios, scenario)))!;
        var max = file["settings"]?["AcceleratedNetworking:MaxUnavailable"]?.GetValue<string>() ?? "1";
        Assert.DoesNotContain('%', max);

        var result = await SimulateAsync(scenario);

        // nodesDown counts the nodes still down from an earlier disruption too: batches that overlap would show here.
        Assert.All(result["disruptions"]!.AsArray(), d => Assert.True(d!["nodesDown"]!.GetValue<int>() <= int.Parse(max, System.Globalization.CultureInfo.InvariantCulture),
            $"{scenario}: {d["nodesDown"]} node(s) of {Name(d)} down at once ({d["cause"]} of {d["instances"]}), MaxUnavailable {max}"));
        Assert.All(result["disruptions"]!.AsArray(), d => Assert.InRange(d!["instances"]!.GetValue<int>(), 1, d["nodesDown"]!.GetValue<int>()));
    }

    [Theory]
    [MemberData(nameof(EveryScenario))]
    public async Task EveryScenario_TheAppNeverWritesToAnAksManagedScaleSet(string scenario)
    {
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Scenarios, scenario)))!;
        var aks = (file["scaleSets"]?.AsArray() ?? [])
            .Concat((file["steps"]?.AsArray() ?? []).Select(s => s?["azure"]?["put"]).Where(p => p is not null))
            .Where(s => s!["id"]!.GetValue<string>().Contains("/resourceGroups/MC_", StringComparison.OrdinalIgnoreCase)
                        || (s["tags"] as JsonObject)?.Any(t => t.Key.StartsWith("aks-managed-", StringComparison.OrdinalIgnoreCase)) == true)
            .Select(s => s!["id"]!.GetValue<string>())
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var result = await SimulateAsync(scenario);

        Assert.DoesNotContain(result["armWrites"]!.AsArray(), w => aks.Any(id => w!["resourceId"]!.GetValue<string>().StartsWith(id, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task AutomaticWithNodes_BlockedAndSaidThenWrittenOnceSwitchedToManual_NoNodeRestarted()
    {
        var result = await SimulateAsync("automatic-with-nodes.json");

        Assert.Equal(["AutomaticUpgradePolicy", "NewPoolEnabled"], result["decisions"]!.AsArray().Select(d => d!["reason"]!.GetValue<string>()));
        Assert.Single(result["armWrites"]!.AsArray());
        Assert.Empty(result["disruptions"]!.AsArray());
        Assert.Equal(
            [("pool-auto", "AcceleratedNetworkingWriteBlocked", "warning", "resolved"), ("pool-auto", "NodesWithoutAcceleratedNetworking", "info", "open")],
            Findings(result));
        Assert.Equal(["trigger", "resolve"], result["alerts"]!.AsArray().Select(a => a!["action"]!.GetValue<string>()));
        Assert.Equal((3, 3, 0, 0), Nodes(result, "pool-auto"));
    }

    [Fact]
    public async Task AutomaticEmpty_WrittenAndTheNodesAddedLaterRunWithAn()
    {
        var result = await SimulateAsync("automatic-empty.json");

        Assert.Single(result["armWrites"]!.AsArray());
        Assert.Empty(result["disruptions"]!.AsArray());
        Assert.Equal((3, 3, 3, 3), Nodes(result, "pool-auto-empty"));
        Assert.Equal("Automatic", Pool(result, "pool-auto-empty")["upgradePolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rolling_SmallBatchWrittenAndRolledOneNodeAtATime_BigBatchBlocked()
    {
        var result = await SimulateAsync("rolling.json");

        Assert.Equal("pool-rolling-small-batch", Name(Assert.Single(result["armWrites"]!.AsArray())));
        Assert.Equal(Enumerable.Repeat((1, "rollingUpgrade"), 5), result["disruptions"]!.AsArray().Select(d => (d!["instances"]!.GetValue<int>(), d["cause"]!.GetValue<string>())));
        Assert.Equal((5, 5, 5, 5), Nodes(result, "pool-rolling-small-batch"));
        Assert.Equal((4, 4, 0, 4), Nodes(result, "pool-rolling-big-batch"));
        var blocked = result["findings"]!.AsArray().Single()!;
        Assert.Equal("AcceleratedNetworkingWriteBlocked", blocked["kind"]!.GetValue<string>());
        Assert.Contains("maxBatchInstancePercent to at most 25", blocked["remedy"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManualMixedPool_InfoAtOnceWarningAfterTheGracePeriod()
    {
        var result = await SimulateAsync("manual-mixed-pool.json");

        Assert.Single(result["armWrites"]!.AsArray());
        Assert.Empty(result["disruptions"]!.AsArray());
        var mixed = result["findings"]!.AsArray().Single()!;
        Assert.Equal(("NodesWithoutAcceleratedNetworking", "warning", "open"), (mixed["kind"]!.GetValue<string>(), mixed["severity"]!.GetValue<string>(), mixed["status"]!.GetValue<string>()));
        Assert.Equal("3 of 3 node(s) of pool-manual run without AN", mixed["message"]!.GetValue<string>());
        // The event came at 09:00:20; the write's operation reported Succeeded on the app's second poll, 2 s later.
        Assert.Equal("2026-11-25T09:00:22+00:00", mixed["firstSeen"]!.GetValue<DateTimeOffset>().ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        var alert = Assert.Single(result["alerts"]!.AsArray())!;
        Assert.Equal(("trigger", "warning"), (alert["action"]!.GetValue<string>(), alert["severity"]!.GetValue<string>()));
        Assert.Equal((3, 3, 0, 0), Nodes(result, "pool-manual"));
    }

    [Fact]
    public async Task AksManaged_NeverWrittenButJudgedWithTheAksRemedy()
    {
        var result = await SimulateAsync("aks-managed.json");

        Assert.Empty(result["armWrites"]!.AsArray());
        Assert.Equal(["AksManaged"], result["decisions"]!.AsArray().Select(d => d!["reason"]!.GetValue<string>()));
        var finding = result["findings"]!.AsArray().Single()!;
        Assert.Equal("AcceleratedNetworkingAvailableButOff", finding["kind"]!.GetValue<string>());
        Assert.Contains("az aks nodepool add --resource-group k8s-prod-neu --cluster-name prod-neu", finding["remedy"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("az aks nodepool delete --resource-group k8s-prod-neu --cluster-name prod-neu --name gpu", finding["remedy"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreatingRedelivered_FirstAttemptRetriesSecondWritesOnce()
    {
        var result = await SimulateAsync("creating-redelivered.json");

        var events = result["events"]!.AsArray();
        Assert.Equal([(1, "RetryLater"), (2, "Handled")], events.Select(e => (e!["attempt"]!.GetValue<int>(), e["disposition"]!.GetValue<string>())));
        Assert.Equal(events[0]!["at"]!.GetValue<DateTimeOffset>().AddSeconds(10), events[1]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(200, Assert.Single(result["armWrites"]!.AsArray())!["status"]!.GetValue<int>());
        Assert.Empty(result["deadLettered"]!.AsArray());
    }

    [Fact]
    public async Task WriteOperationFails_TransientWrittenAgainAtOnce_StandingFailureAWarningAndAnAlertInTheSameDelivery()
    {
        var result = await SimulateAsync("write-operation-fails.json");

        Assert.Equal([("pool-retried", 200), ("pool-retried", 200), ("pool-refused-join", 200)],
            result["armWrites"]!.AsArray().Select(w => (Name(w), w!["status"]!.GetValue<int>())));
        Assert.True(Pool(result, "pool-retried")["acceleratedNetworking"]!.GetValue<bool>());
        Assert.False(Pool(result, "pool-refused-join")["acceleratedNetworking"]!.GetValue<bool>());
        Assert.Equal([("pool-refused-join", "AcceleratedNetworkingWriteFailed", "warning", "open")], Findings(result));
        var alert = Assert.Single(result["alerts"]!.AsArray())!;
        Assert.Equal(("trigger", "AcceleratedNetworkingWriteFailed"), (alert["action"]!.GetValue<string>(), alert["kind"]!.GetValue<string>()));
        // Within the delivery of the event (09:00:20), after the app's two polls of the operation: not at the audit.
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 9, 0, 22, TimeSpan.Zero), alert["at"]!.GetValue<DateTimeOffset>());
        Assert.All(result["events"]!.AsArray(), e => Assert.Equal("Handled", e!["disposition"]!.GetValue<string>()));
        Assert.Equal("LinkedAuthorizationFailed", result["findings"]![0]!["evidence"]!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task ThrottledPatch_TwoRefusedOneAcceptedOnEventGridsSchedule()
    {
        var result = await SimulateAsync("throttled-patch.json");

        Assert.Equal([429, 429, 200], result["armWrites"]!.AsArray().Select(w => w!["status"]!.GetValue<int>()));
        var events = result["events"]!.AsArray();
        Assert.Equal([1, 2, 3], events.Select(e => e!["attempt"]!.GetValue<int>()));
        var at = events.Select(e => e!["at"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)], [at[1] - at[0], at[2] - at[1]]);
        Assert.True(Pool(result, "pool-throttled")["acceleratedNetworking"]!.GetValue<bool>());
    }
}
