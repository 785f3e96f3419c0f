using System.Text.Json.Nodes;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Explain;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Functions;

/// <summary>
/// The safety gate and provisioner awareness through the app's real DI: the Event Grid function against the emulator,
/// whose instances follow Azure's upgrade policies. The disruptions the emulator saw are the proof.
/// </summary>
public sealed class NodeSafetyThroughEventsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private AppUnderTest _app = AppUnderTest.Create(now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string Seed(string name, string mode, int capacity = 3, int? batchPercent = null, JsonObject? tags = null, string? resourceGroup = null)
    {
        var scaleSet = Fleet.ScaleSet(name, "Standard_D4s_v5", Now.AddMinutes(-2), an: false, tags: tags);
        scaleSet["sku"]!["capacity"] = capacity;
        var policy = new JsonObject { ["mode"] = mode };
        if (batchPercent is { } percent)
        {
            policy["rollingUpgradePolicy"] = new JsonObject { ["maxBatchInstancePercent"] = percent };
        }

        scaleSet["properties"]!["upgradePolicy"] = policy;
        if (resourceGroup is not null)
        {
            scaleSet["id"] = scaleSet["id"]!.GetValue<string>().Replace("/k8s-test/", $"/{resourceGroup}/", StringComparison.Ordinal);
        }

        _app.Emulator.PutScaleSet(scaleSet);
        return scaleSet["id"]!.GetValue<string>();
    }

    private Task DeliverAsync(string id, string eventId) =>
        _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, eventId), CancellationToken.None);

    private async Task<Dictionary<FindingKind, Finding>> FindingsAsync(string id, FindingStatus status = FindingStatus.Open) =>
        (await _app.Get<IFindingStore>().ListForPoolAsync(ScaleSetId.Parse(id), CancellationToken.None))
            .Where(f => f.Status == status).ToDictionary(f => f.Kind);

    [Fact]
    public async Task Event_AutomaticPoolWithRunningNodes_NoWriteNoDisruptionAWarningAndNoRecord()
    {
        var id = Seed("auto", "Automatic");

        await DeliverAsync(id, "e-auto");

        Assert.Empty(_app.Emulator.Writes);
        Assert.Empty(_app.Emulator.Disruptions);
        var blocked = (await FindingsAsync(id))[FindingKind.AcceleratedNetworkingWriteBlocked];
        Assert.Equal(FindingSeverity.Warning, blocked.Severity);
        Assert.Contains("upgrade policy Automatic", blocked.Message, StringComparison.Ordinal);
        Assert.Contains("Manual or Rolling", blocked.Remedy, StringComparison.Ordinal);
        Assert.Equal("Automatic", blocked.Evidence.UpgradePolicy);
        Assert.Equal(new InstanceCounts(3, 3, 0, 3, 0), blocked.Evidence.Nodes);
        Assert.Null(await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None));
        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.ListInstances));
    }

    [Fact]
    public async Task Event_AutomaticPoolChangedToManualWhileNew_WritesAndResolvesTheBlockedWarning()
    {
        var id = Seed("auto", "Automatic");
        await DeliverAsync(id, "e-1");
        _app.Emulator.ModifyScaleSet(id, vmss => vmss["properties"]!["upgradePolicy"] = new JsonObject { ["mode"] = "Manual" });
        _app.Time.Advance(TimeSpan.FromMinutes(5));

        await DeliverAsync(id, "e-2");

        Assert.Equal("PATCH", Assert.Single(_app.Emulator.Writes).Method);
        Assert.Empty(_app.Emulator.Disruptions);
        Assert.True((await FindingsAsync(id, FindingStatus.Resolved)).ContainsKey(FindingKind.AcceleratedNetworkingWriteBlocked));
        var mixed = (await FindingsAsync(id))[FindingKind.NodesWithoutAcceleratedNetworking];
        Assert.Equal(FindingSeverity.Info, mixed.Severity);
        Assert.Equal("3 of 3 node(s) of auto run without AN", mixed.Message);
    }

    [Fact]
    public async Task Event_AutomaticPoolWithoutInstances_WritesWithoutDisruption()
    {
        var id = Seed("auto-empty", "Automatic", capacity: 0);

        await DeliverAsync(id, "e-empty");

        Assert.Single(_app.Emulator.Writes);
        Assert.Empty(_app.Emulator.Disruptions);
        Assert.Empty(await FindingsAsync(id));
    }

    [Fact]
    public async Task Event_AutomaticAllowedWithinMaxUnavailable_WritesAndTheNodesGetAnInOneDisruptionWithinBudget()
    {
        await _app.DisposeAsync();
        _app = AppUnderTest.Create(now: Now, settings: new Dictionary<string, string?>
        {
            ["AcceleratedNetworking:AllowAutomaticUpgrade"] = "true",
            ["AcceleratedNetworking:MaxUnavailable"] = "2",
        });
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Seed("auto-two", "Automatic", capacity: 2);

        await DeliverAsync(id, "e-two");

        Assert.Single(_app.Emulator.Writes);
        var disruption = Assert.Single(_app.Emulator.Disruptions);
        Assert.Equal((2, "automaticUpgrade"), (disruption.Instances, disruption.Cause));
        Assert.All(_app.Emulator.GetInstances(id)!, i => Assert.True(i.AcceleratedNetworking));
    }

    [Theory]
    [InlineData(5, 20, true)]
    [InlineData(10, 20, false)]
    public async Task Event_RollingPool_WritesOnlyWhenOneBatchIsWithinMaxUnavailable(int capacity, int percent, bool writes)
    {
        var id = Seed("rolling", "Rolling", capacity, percent);

        await DeliverAsync(id, "e-rolling");

        Assert.Equal(writes ? 1 : 0, _app.Emulator.Writes.Count);
        Assert.All(_app.Emulator.Disruptions, d => Assert.True(d.NodesDown <= 1, $"{d.NodesDown} nodes down at once"));
        Assert.Equal(writes ? capacity : 0, _app.Emulator.Disruptions.Sum(d => d.Instances));
        Assert.Equal(!writes, (await FindingsAsync(id)).ContainsKey(FindingKind.AcceleratedNetworkingWriteBlocked));
    }

    [Fact]
    public async Task Event_ManualPool_ModelOnlyNodesKeepTheirNicsAndTheRecordKeepsTheCounts()
    {
        var id = Seed("manual", "Manual", capacity: 4);

        await DeliverAsync(id, "e-manual");

        Assert.Single(_app.Emulator.Writes);
        Assert.Empty(_app.Emulator.Disruptions);
        Assert.All(_app.Emulator.GetInstances(id)!, i => Assert.False(i.AcceleratedNetworking));
        var pool = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.Equal(new InstanceCounts(4, 4, 0, 4, 0), pool!.Instances);
        Assert.Equal(Now, pool.InstancesCheckedAt);
    }

    [Fact]
    public async Task Event_ManualPoolWithRolloutNewPools_TheAppRollsTheNodesOutWithinMaxUnavailable()
    {
        await _app.DisposeAsync();
        _app = AppUnderTest.Create(now: Now, settings: new Dictionary<string, string?>
        {
            ["AcceleratedNetworking:RolloutNewPools"] = "true",
            ["AcceleratedNetworking:MaxUnavailable"] = "2",
        });
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Seed("manual-rolled", "Manual", capacity: 5);

        await DeliverAsync(id, "e-rolled");

        Assert.All(_app.Emulator.GetInstances(id)!, i => Assert.True(i.IsRunning && i.AcceleratedNetworking));
        Assert.Equal([2, 2, 1], _app.Emulator.Disruptions.Select(d => d.Instances));
        var rollout = await _app.Get<AnFunctions.Core.Rollouts.IRolloutStore>().GetLatestAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.Equal((AnFunctions.Core.Rollouts.RolloutStatus.Succeeded, "app", 2), (rollout!.Status, rollout.Trigger, rollout.BatchSize));
        Assert.True((await FindingsAsync(id, FindingStatus.Resolved)).ContainsKey(FindingKind.NodesWithoutAcceleratedNetworking));
    }

    [Fact]
    public async Task Event_ManualPoolWithoutRolloutNewPools_NoRollout()
    {
        var id = Seed("manual-left", "Manual", capacity: 2);

        await DeliverAsync(id, "e-left");

        Assert.Null(await _app.Get<AnFunctions.Core.Rollouts.IRolloutStore>().GetLatestAsync(ScaleSetId.Parse(id), CancellationToken.None));
        Assert.Empty(_app.Emulator.Disruptions);
    }

    [Theory]
    [InlineData("aks-tags")]
    [InlineData("mc-group")]
    public async Task Event_AksManagedNewPool_NeverWrittenButJudged(string how)
    {
        var id = how == "aks-tags"
            ? Seed("aks-np1-12345678-vmss", "Manual", tags: new JsonObject { ["aks-managed-poolName"] = "np1", ["aks-managed-orchestrator"] = "Kubernetes:1.31.2" })
            : Seed("aks-np1-12345678-vmss", "Manual", resourceGroup: "MC_k8s-prod_prod-weu_westeurope");

        await DeliverAsync(id, "e-aks");

        Assert.Empty(_app.Emulator.Writes);
        Assert.Equal(0, _app.Emulator.Count(ArmCallKind.ListInstances));
        var pool = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.False(pool!.EnabledByApp);
        var decision = (await _app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(id), 1, CancellationToken.None)).Single();
        Assert.Equal(DecisionReason.AksManaged, decision.Reason);
        var finding = (await FindingsAsync(id))[FindingKind.AcceleratedNetworkingAvailableButOff];
        Assert.Contains("az aks nodepool add", finding.Remedy, StringComparison.Ordinal);
        Assert.Contains("--name np1`", finding.Remedy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_ManualPoolAfterTheWrite_ShowsEveryNodeWithoutAnAndTheOwner()
    {
        var id = Seed("explained", "Manual", capacity: 2);
        await DeliverAsync(id, "e-explain");

        var result = await _app.Get<PoolExplainer>().ExplainAsync(ScaleSetId.Parse(id), CancellationToken.None);

        var explanation = result.Explanation!;
        Assert.Equal("Manual", explanation.UpgradePolicy);
        Assert.Equal(PoolOwner.Unknown, explanation.Owner.Owner);
        Assert.True(explanation.Owner.AppWritesToIt);
        Assert.Equal(new InstanceCounts(2, 2, 0, 0, 0), explanation.Nodes.Counts);
        Assert.All(explanation.Nodes.Instances, i => Assert.Equal((PowerState.Running, false), (i.PowerState, i.AcceleratedNetworking)));
        Assert.True(explanation.AcceleratedNetworkingOnAll);
    }
}
