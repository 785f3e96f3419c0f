using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Fleet;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Core.Tests.Events;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Fleet;

public sealed class FleetReportBuilderTests
{
    private const string Aks = "MC_rg_prod_westeurope";
    private static readonly string Sub1 = TestData.Subscription;
    private static readonly string Sub2 = TestData.OtherSubscription;

    private readonly InMemoryStateStore _state = new();
    private readonly InMemoryFindingStore _findings = new();
    private readonly IAuditRunStore _runs = Substitute.For<IAuditRunStore>();
    private readonly AcceleratedNetworkingOptions _settings = new();
    private readonly FakeTimeProvider _time = new(TestData.Now);

    private Task<FleetReport> BuildAsync() =>
        new FleetReportBuilder(_state, _findings, _runs, CoreWiring.Monitor(_settings), _time).BuildAsync(CancellationToken.None);

    private async Task<ScaleSetId> PoolAsync(string name, string group, string subscription, string location, bool an, InstanceCounts? nodes = null, PoolStatus status = PoolStatus.Active)
    {
        var id = ScaleSetId.Create(subscription, group, name);
        await _state.SavePoolAsync(new PoolRecord
        {
            Id = id,
            Location = location,
            VmSizes = ["Standard_D4s_v3"],
            AcceleratedNetworking = an,
            FirstSeen = TestData.Now.AddDays(-3),
            LastSeen = TestData.Now.AddDays(-1),
            Instances = nodes,
            InstancesCheckedAt = nodes is null ? null : TestData.Now.AddHours(-2),
            Status = status,
        }, CancellationToken.None);
        return id;
    }

    private async Task<Finding> FindingAsync(ScaleSetId pool, FindingKind kind, FindingSeverity severity = FindingSeverity.Warning, string? cluster = null, FindingStatus status = FindingStatus.Open)
    {
        var draft = new FindingDraft(kind, severity, $"{kind} on {pool.Name}", "slower", $"remedy of {pool.Name}", new FindingEvidence { Cluster = cluster });
        return await _findings.SaveAsync(TestData.OpenFinding(draft, pool) with { Status = status }, [], CancellationToken.None);
    }

    private static (string, int, int, int, int, int) Row(CoverageRow row) =>
        (row.Key, row.Pools, row.WithAcceleratedNetworking, row.EligibleWithoutAcceleratedNetworking, row.Nodes, row.NodesWithoutAcceleratedNetworking);

    /// <summary>
    /// Five active pools and a deleted one: a mixed AKS pool and an eligible one in its cluster (sub 1), a CAPZ cluster
    /// named by one finding and shared by a pool without findings, and a plain pool with AN whose AN-lost finding does
    /// not make it eligible (sub 2).
    /// </summary>
    private async Task FleetAsync()
    {
        await PoolAsync("a", Aks, Sub1, "westeurope", an: true, new InstanceCounts(4, 4, 2, 4, 0));
        var b = await PoolAsync("b", Aks, Sub1, "WestEurope", an: false);
        await FindingAsync(b, FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Info);
        var c = await PoolAsync("c", "team-rg", Sub2, "northeurope", an: false);
        await FindingAsync(c, FindingKind.AcceleratedNetworkingWriteFailed, cluster: "capz-1");
        await PoolAsync("d", "team-rg", Sub2, "northeurope", an: false);
        var e = await PoolAsync("e", "plain-rg", Sub2, "westeurope", an: true, new InstanceCounts(3, 3, 3, 3, 0));
        await FindingAsync(e, FindingKind.AcceleratedNetworkingLost);
        await PoolAsync("f", "plain-rg", Sub2, "westeurope", an: false, new InstanceCounts(9, 9, 0, 9, 0), PoolStatus.Deleted);
    }

    [Fact]
    public async Task Build_NoPools_ZeroRowsAndNothingListed()
    {
        var audits = new List<AuditRun> { new() { RunId = "audit-1", Trigger = "timer", Started = TestData.Now.AddHours(-1) } };
        _runs.ListAsync(FleetReportBuilder.MaxAudits, Arg.Any<CancellationToken>()).Returns(audits);

        var report = await BuildAsync();

        Assert.Equal(TestData.Now, report.GeneratedAt);
        Assert.Empty(report.Scope);
        Assert.Equal(("fleet", 0, 0, 0, 0, 0), Row(report.Totals));
        Assert.Equal(0, report.Totals.CoveragePercent);
        Assert.Empty(report.BySubscription);
        Assert.Empty(report.ByCluster);
        Assert.Empty(report.ByRegion);
        Assert.Empty(report.Segments);
        Assert.Empty(report.MixedPools);
        Assert.Empty(report.OpenFindings);
        Assert.Empty(report.OpenFindingsByKind);
        Assert.Equal(0, report.OpenFindingsTotal);
        Assert.Same(audits, report.LastAudits);
        Assert.Equal(10, FleetReportBuilder.MaxAudits);
    }

    [Fact]
    public async Task Build_Fleet_CoverageInTotalPerSubscriptionClusterAndRegion()
    {
        await FleetAsync();

        var report = await BuildAsync();

        Assert.Equal(("fleet", 5, 2, 1, 7, 2), Row(report.Totals));
        Assert.Equal(40.0, report.Totals.CoveragePercent, 9);
        Assert.Equal([(Sub1, 2, 1, 1, 4, 2), (Sub2, 3, 1, 0, 3, 0)], report.BySubscription.Select(Row));
        Assert.Equal([("capz-1", 2, 0, 0, 0, 0), ("prod", 2, 1, 1, 4, 2), ("resource group plain-rg", 1, 1, 0, 3, 0)], report.ByCluster.Select(Row));
        Assert.Equal([("northeurope", 2, 0, 0, 0, 0), ("westeurope", 3, 2, 1, 7, 2)], report.ByRegion.Select(Row));
        Assert.Equal(
            [
                (Sub1, "prod", "westeurope", ("prod", 2, 1, 1, 4, 2)),
                (Sub2, "capz-1", "northeurope", ("capz-1", 2, 0, 0, 0, 0)),
                (Sub2, "resource group plain-rg", "westeurope", ("resource group plain-rg", 1, 1, 0, 3, 0)),
            ],
            report.Segments.Select(s => (s.Subscription, s.Cluster, s.Region, Row(s.Coverage))));
    }

    [Fact]
    public async Task Build_Fleet_MixedPoolsAndFindingsWithTheirClusters()
    {
        await FleetAsync();

        var report = await BuildAsync();

        var mixed = Assert.Single(report.MixedPools);
        Assert.Equal(new MixedPool(ScaleSetId.Create(Sub1, Aks, "a").Value, "a", "prod", "westeurope", 4, 4, 2, TestData.Now.AddHours(-2)), mixed);
        Assert.Equal(2, mixed.WithoutAcceleratedNetworking);
        Assert.Equal(
            [
                (FindingKind.AcceleratedNetworkingLost, FindingSeverity.Warning, "e", "resource group plain-rg"),
                (FindingKind.AcceleratedNetworkingWriteFailed, FindingSeverity.Warning, "c", "capz-1"),
                (FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Info, "b", "prod"),
            ],
            report.OpenFindings.Select(f => (f.Kind, f.Severity, f.PoolName, f.Cluster)));
        var first = report.OpenFindings[0];
        var e = ScaleSetId.Create(Sub2, "plain-rg", "e");
        Assert.Equal(new ReportFinding(Finding.IdFor(e, FindingKind.AcceleratedNetworkingLost), FindingKind.AcceleratedNetworkingLost, FindingSeverity.Warning, e.Value, "e", "resource group plain-rg",
            "AcceleratedNetworkingLost on e", "remedy of e", TestData.Now), first);
        Assert.Equal(3, report.OpenFindingsTotal);
    }

    [Fact]
    public async Task Build_ScopeSet_OnlyThoseSubscriptionsPoolsInSortedScope()
    {
        await FleetAsync();
        _settings.Subscriptions = $"{Sub2.ToUpperInvariant()},{Sub1}";
        var all = await BuildAsync();
        _settings.Subscriptions = Sub2;

        var report = await BuildAsync();

        Assert.Equal([Sub1, Sub2], all.Scope);
        Assert.Equal(("fleet", 5, 2, 1, 7, 2), Row(all.Totals));
        Assert.Equal([Sub2], report.Scope);
        Assert.Equal(("fleet", 3, 1, 0, 3, 0), Row(report.Totals));
        Assert.Empty(report.MixedPools);
    }

    [Fact]
    public async Task Build_EligibleOnlyWithoutAnAndWithAFindingThatTheSizeSupportsAn()
    {
        FindingKind[] supports = [FindingKind.AcceleratedNetworkingAvailableButOff, FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingKind.AcceleratedNetworkingLost, FindingKind.AcceleratedNetworkingWriteBlocked];
        foreach (var kind in Enum.GetValues<FindingKind>())
        {
            var pool = await PoolAsync($"off-{kind}".ToLowerInvariant(), "rg", Sub1, "westeurope", an: false);
            await FindingAsync(pool, kind);
        }

        var withAn = await PoolAsync("on", "rg", Sub1, "westeurope", an: true);
        await FindingAsync(withAn, FindingKind.AcceleratedNetworkingAvailableButOff);
        var resolved = await PoolAsync("resolved", "rg", Sub1, "westeurope", an: false);
        await FindingAsync(resolved, FindingKind.AcceleratedNetworkingAvailableButOff, status: FindingStatus.Resolved);

        var report = await BuildAsync();

        Assert.Equal(4, supports.Length);
        Assert.Equal(("fleet", 12, 1, 4, 0, 0), Row(report.Totals));
    }

    [Fact]
    public async Task Build_MixedPools_MostNodesWithoutAnFirstThenByIdAndOnlyPoolsWithAnAndCounts()
    {
        await PoolAsync("m1", "rg", Sub1, "westeurope", an: true, new InstanceCounts(5, 5, 4, 5, 0));
        await PoolAsync("m3", "rg", Sub1, "westeurope", an: true, new InstanceCounts(5, 4, 2, 5, 0));
        await PoolAsync("m2", "rg", Sub1, "westeurope", an: true, new InstanceCounts(2, 2, 1, 2, 0));
        await PoolAsync("full", "rg", Sub1, "westeurope", an: true, new InstanceCounts(2, 2, 2, 2, 0));
        await PoolAsync("unchecked", "rg", Sub1, "westeurope", an: true);
        await PoolAsync("model-off", "rg", Sub1, "westeurope", an: false, new InstanceCounts(3, 3, 0, 3, 0));

        var report = await BuildAsync();

        Assert.Equal([("m3", 3), ("m1", 1), ("m2", 1)], report.MixedPools.Select(m => (m.Name, m.WithoutAcceleratedNetworking)));
        Assert.Equal((5, 4, 2), (report.MixedPools[0].Nodes, report.MixedPools[0].Running, report.MixedPools[0].WithAcceleratedNetworking));
        Assert.Equal(("fleet", 6, 5, 0, 17, 8), Row(report.Totals));
    }

    [Fact]
    public async Task Build_ClusterOfAPool_FromItsFindingThenItsGroupsThenAksThenTheGroup()
    {
        var named = await PoolAsync("named", "grp", Sub1, "westeurope", an: false);
        var own = await FindingAsync(named, FindingKind.SizeChanged, cluster: "from-own");
        var neighbour = await PoolAsync("neighbour", "grp", Sub1, "westeurope", an: false);
        var neighbours = await FindingAsync(neighbour, FindingKind.SizeChanged, cluster: "from-neighbour");
        await FindingAsync(neighbour, FindingKind.SizeChangeRefused, cluster: " ");
        await PoolAsync("quiet", "GRP", Sub1, "westeurope", an: false);
        await PoolAsync("aks", "MC_x_blue_westeurope", Sub1, "westeurope", an: false);
        await PoolAsync("plain", "other", Sub1, "westeurope", an: false);

        var report = await BuildAsync();

        // The group's cluster is the one named by its finding with the first id (ids are hashes: which one is fixed).
        var groups = string.CompareOrdinal(own.Id, neighbours.Id) < 0 ? (Own: 2, Neighbour: 1) : (Own: 1, Neighbour: 2);
        Assert.Equal(
            [("blue", 1), ("from-neighbour", groups.Neighbour), ("from-own", groups.Own), ("resource group other", 1)],
            report.ByCluster.Select(r => (r.Key, r.Pools)));
    }

    [Fact]
    public async Task Build_FindingOfAPoolWithoutRecord_ClusterFromItsEvidenceElseAksElseTheGroup()
    {
        await FindingAsync(ScaleSetId.Create(Sub1, "MC_x_green_westeurope", "gone1"), FindingKind.SizeChanged, FindingSeverity.Info);
        await FindingAsync(ScaleSetId.Create(Sub1, "lonely", "gone2"), FindingKind.SizeChanged, FindingSeverity.Info);
        await FindingAsync(ScaleSetId.Create(Sub1, "lonely", "gone3"), FindingKind.SizeChanged, FindingSeverity.Info, cluster: "told");

        var report = await BuildAsync();

        Assert.Equal([("gone2", "resource group lonely"), ("gone3", "told"), ("gone1", "green")], report.OpenFindings.Select(f => (f.PoolName, f.Cluster)));
        Assert.Equal(0, report.Totals.Pools);
    }

    [Fact]
    public async Task Build_Findings_MostSevereFirstThenKindThenPoolAndCountedPerKindAndSeverity()
    {
        var p1 = ScaleSetId.Create(Sub1, "rg", "p1");
        var p2 = ScaleSetId.Create(Sub1, "rg", "p2");
        var p3 = ScaleSetId.Create(Sub1, "rg", "p3");
        var lost2 = await FindingAsync(p2, FindingKind.AcceleratedNetworkingLost, FindingSeverity.Info);
        var lost1 = await FindingAsync(p1, FindingKind.AcceleratedNetworkingLost, FindingSeverity.Info);
        await FindingAsync(p3, FindingKind.SizeChanged, FindingSeverity.Info);
        await FindingAsync(p3, FindingKind.SizeChangeRefused, FindingSeverity.Critical);
        await FindingAsync(p1, FindingKind.NodesWithoutAcceleratedNetworking, FindingSeverity.Warning);
        await FindingAsync(p2, FindingKind.SizeChanged, FindingSeverity.Warning);
        await FindingAsync(ScaleSetId.Create(Sub1, "rg", "p0"), FindingKind.SizeChanged, FindingSeverity.Critical, status: FindingStatus.Resolved);

        var report = await BuildAsync();

        Assert.Equal(
            [
                (FindingKind.SizeChangeRefused, "p3"), (FindingKind.SizeChanged, "p2"), (FindingKind.NodesWithoutAcceleratedNetworking, "p1"),
                (FindingKind.SizeChanged, "p3"), (FindingKind.AcceleratedNetworkingLost, "p1"), (FindingKind.AcceleratedNetworkingLost, "p2"),
            ],
            report.OpenFindings.Select(f => (f.Kind, f.PoolName)));
        // Each count names the remedy of its finding with the first id.
        var lostRemedy = string.CompareOrdinal(lost1.Id, lost2.Id) < 0 ? "remedy of p1" : "remedy of p2";
        Assert.Equal(
            [
                (FindingKind.SizeChangeRefused, FindingSeverity.Critical, 1, "remedy of p3"),
                (FindingKind.SizeChanged, FindingSeverity.Warning, 1, "remedy of p2"),
                (FindingKind.NodesWithoutAcceleratedNetworking, FindingSeverity.Warning, 1, "remedy of p1"),
                (FindingKind.AcceleratedNetworkingLost, FindingSeverity.Info, 2, lostRemedy),
                (FindingKind.SizeChanged, FindingSeverity.Info, 1, "remedy of p3"),
            ],
            report.OpenFindingsByKind.Select(c => (c.Kind, c.Severity, c.Count, c.Remedy)));
        Assert.Equal(6, report.OpenFindingsTotal);
    }

    [Fact]
    public async Task Build_MoreThanTheMaximumOfFindings_ListsTheMaximumAndCountsAll()
    {
        for (var i = 0; i < FleetReportBuilder.MaxFindings + 1; i++)
        {
            await FindingAsync(ScaleSetId.Create(Sub1, "rg", $"p{i:D3}"), FindingKind.SizeChanged, FindingSeverity.Info);
        }

        var report = await BuildAsync();

        Assert.Equal(200, FleetReportBuilder.MaxFindings);
        Assert.Equal(200, report.OpenFindings.Count);
        Assert.Equal("p199", report.OpenFindings[^1].PoolName);
        Assert.Equal(201, Assert.Single(report.OpenFindingsByKind).Count);
        Assert.Equal(201, report.OpenFindingsTotal);
    }

    [Theory]
    [InlineData("MC_rg_prod_westeurope", "prod")]
    [InlineData("mc_rg_prod_westeurope", "prod")]
    [InlineData("MC_my_rg_prod_westeurope", "prod")]
    [InlineData("MC_rg_prod", null)]
    [InlineData("XC_rg_prod_westeurope", null)]
    [InlineData("MC_rg__westeurope", null)]
    [InlineData("cluster-x1y2z", null)]
    public void AksCluster_ResourceGroupNames_TheClusterOfAnAksNodeGroupOnly(string group, string? cluster) =>
        Assert.Equal(cluster, FleetReportBuilder.AksCluster(group));

    [Theory]
    [InlineData(0, 0, 0.0)]
    [InlineData(3, 2, 66.666666666666671)]
    [InlineData(4, 4, 100.0)]
    public void CoveragePercent_PoolsWithAn_InPercentOfPools(int pools, int withAn, double percent) =>
        Assert.Equal(percent, new CoverageRow("k", pools, withAn, 0, 0, 0).CoveragePercent, 9);
}
