using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Findings;

/// <summary>The node check of a pool the app enabled AN on: the counts it records and the mixed-pool finding it keeps.</summary>
public sealed class NodeCheckTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(2);
    private readonly IScaleSetClient _arm = Substitute.For<IScaleSetClient>();
    private readonly InMemoryStateStore _state = new();
    private readonly InMemoryFindingStore _findings = new();
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly NodeCheck _check;

    public NodeCheckTests()
    {
        var alerts = Substitute.For<IOptionsMonitor<AlertsOptions>>();
        alerts.CurrentValue.Returns(new AlertsOptions());
        var audit = Substitute.For<IOptionsMonitor<AuditOptions>>();
        audit.CurrentValue.Returns(new AuditOptions { InstanceGracePeriod = Grace });
        var engine = new FindingEngine(_findings, [], alerts, _time, NullLogger<FindingEngine>.Instance);
        _check = new NodeCheck(_arm, _state, engine, audit, _time);
    }

    private static readonly ScaleSetSnapshot ScaleSet = TestData.ScaleSet(an: true, age: TimeSpan.FromDays(1), upgradePolicy: new UpgradePolicy(UpgradeMode.Manual),
        tags: new Dictionary<string, string> { ["aks-managed-poolName"] = "np1", ["aks-managed-cluster-name"] = "prod-weu" });

    private async Task<PoolRecord> RecordAsync(DateTimeOffset? enabledAt) =>
        await _state.SavePoolAsync(TestData.Record(ScaleSet) with { EnabledByApp = enabledAt is not null, EnabledAt = enabledAt, Version = null }, CancellationToken.None);

    private void Nodes(params PoolInstance[] instances) =>
        _arm.ListInstancesAsync(ScaleSet.Id, Arg.Any<CancellationToken>()).Returns(instances);

    private static PoolInstance Node(string id, bool an, bool latest = true, PowerState power = PowerState.Running, bool isProtected = false) =>
        new(id, power, latest, an, isProtected);

    [Fact]
    public async Task Check_MixedPool_RecordsTheCountsAndOpensAnInfoWithinTheGracePeriod()
    {
        var pool = await RecordAsync(TestData.Now.AddHours(-1));
        Nodes(Node("0", an: true), Node("1", an: false, latest: false), Node("2", an: false, power: PowerState.Deallocated, isProtected: true));

        var changes = await _check.CheckAsync(pool, ScaleSet, CancellationToken.None);

        var saved = (await _state.GetPoolAsync(ScaleSet.Id, CancellationToken.None))!;
        Assert.Equal(new InstanceCounts(Total: 3, Running: 2, AcceleratedNetworking: 1, OnLatestModel: 2, Protected: 1), saved.Instances);
        Assert.Equal(TestData.Now, saved.InstancesCheckedAt);
        Assert.Equal(1, saved.InstancesNotOnLatestModel);
        var finding = Assert.Single(changes.Opened);
        Assert.Equal(FindingKind.NodesWithoutAcceleratedNetworking, finding.Kind);
        Assert.Equal(FindingSeverity.Info, finding.Severity);
        Assert.Equal("2 of 3 node(s) of nodepool-a1b2c run without AN", finding.Message);
        Assert.Equal(saved.Instances, finding.Evidence.Nodes);
        Assert.Equal(["Standard_D4s_v3"], finding.Evidence.CurrentSizes);
        Assert.True(finding.Evidence.AcceleratedNetworking);
        Assert.Equal("westeurope", finding.Evidence.Location);
        Assert.Equal("prod-weu", finding.Evidence.Cluster);
        Assert.Equal("Manual", finding.Evidence.UpgradePolicy);
        Assert.Equal("Aks", finding.Evidence.Owner);
    }

    [Theory]
    [InlineData(0, FindingSeverity.Warning)]
    [InlineData(-1, FindingSeverity.Warning)]
    [InlineData(1, FindingSeverity.Info)]
    public async Task Check_MixedPool_IsAWarningOnceTheGracePeriodHasPassedSinceTheAppEnabledAn(int ticksBeforeGraceEnds, FindingSeverity expected)
    {
        var pool = await RecordAsync(TestData.Now - Grace + TimeSpan.FromTicks(ticksBeforeGraceEnds));
        Nodes(Node("0", an: false));

        var changes = await _check.CheckAsync(pool, ScaleSet, CancellationToken.None);

        Assert.Equal(expected, Assert.Single(changes.Opened).Severity);
    }

    [Fact]
    public async Task Check_MixedPoolNotEnabledByTheApp_StaysInfo()
    {
        var pool = await RecordAsync(enabledAt: null);
        Nodes(Node("0", an: false));

        var changes = await _check.CheckAsync(pool, ScaleSet, CancellationToken.None);

        Assert.Equal(FindingSeverity.Info, Assert.Single(changes.Opened).Severity);
    }

    [Fact]
    public async Task Check_EveryNodeHasAn_ResolvesTheMixedPoolAndTheSupersededKind()
    {
        var pool = await RecordAsync(TestData.Now.AddDays(-3));
        Nodes(Node("0", an: false));
        await _check.CheckAsync(pool, ScaleSet, CancellationToken.None);
        var superseded = TestData.OpenFinding(new FindingDraft(FindingKind.InstancesNotOnLatestModel, FindingSeverity.Warning, "m", "c", "r", new FindingEvidence()), ScaleSet.Id);
        await _findings.SaveAsync(superseded, [], CancellationToken.None);
        Nodes(Node("0", an: true), Node("1", an: true));

        var changes = await _check.CheckAsync((await _state.GetPoolAsync(ScaleSet.Id, CancellationToken.None))!, ScaleSet, CancellationToken.None);

        Assert.Equal([FindingKind.InstancesNotOnLatestModel, FindingKind.NodesWithoutAcceleratedNetworking], changes.Resolved.Select(f => f.Kind).Order());
        Assert.Empty(changes.Opened);
        Assert.Equal(0, (await _state.GetPoolAsync(ScaleSet.Id, CancellationToken.None))!.InstancesNotOnLatestModel);
    }

    [Fact]
    public async Task Check_NullArguments_Throw()
    {
        await Assert.ThrowsAsync<ArgumentNullException>("pool", () => _check.CheckAsync(null!, ScaleSet, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>("scaleSet", () => _check.CheckAsync(TestData.Record(ScaleSet), null!, CancellationToken.None));
    }
}
