using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Fleet;

/// <summary>AN coverage of a group of pools (a subscription, a cluster, a region).</summary>
public sealed record CoverageRow(string Key, int Pools, int WithAcceleratedNetworking, int EligibleWithoutAcceleratedNetworking, int Nodes, int NodesWithoutAcceleratedNetworking)
{
    /// <summary>Pools with AN on the model, in percent of <see cref="Pools"/> (0 when there are none).</summary>
    public double CoveragePercent => Pools == 0 ? 0 : 100.0 * WithAcceleratedNetworking / Pools;
}

/// <summary>The pools of one subscription, cluster and region: the finest grain the fleet gauges report.</summary>
public sealed record FleetSegment(string Subscription, string Cluster, string Region, CoverageRow Coverage);

/// <summary>A pool whose model has AN while some of its nodes run without it (they need a rollout).</summary>
public sealed record MixedPool(string ResourceId, string Name, string Cluster, string Location, int Nodes, int Running, int WithAcceleratedNetworking, DateTimeOffset? CheckedAt)
{
    public int WithoutAcceleratedNetworking => Nodes - WithAcceleratedNetworking;
}

/// <summary>One open finding as the report shows it.</summary>
public sealed record ReportFinding(string Id, FindingKind Kind, FindingSeverity Severity, string ResourceId, string PoolName, string Cluster, string Message, string Remedy, DateTimeOffset FirstSeen);

/// <summary>How many findings of one kind and severity are open.</summary>
public sealed record FindingCount(FindingKind Kind, FindingSeverity Severity, int Count, string Remedy);

/// <summary>
/// The fleet at a glance, from the app's stores (pool records, findings, audit runs): what the HTML report
/// (<c>an report</c>, <c>GET /api/report</c>) draws and the fleet gauges of <see cref="Telemetry.AnMetrics"/> report.
/// </summary>
public sealed record FleetReport
{
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>Subscriptions in scope as configured; empty means every subscription.</summary>
    public required IReadOnlyList<string> Scope { get; init; }

    public required CoverageRow Totals { get; init; }
    public required IReadOnlyList<CoverageRow> BySubscription { get; init; }
    public required IReadOnlyList<CoverageRow> ByCluster { get; init; }
    public required IReadOnlyList<CoverageRow> ByRegion { get; init; }

    /// <summary>Coverage per subscription × cluster × region (the gauges' series; sums of them give every view above).</summary>
    public IReadOnlyList<FleetSegment> Segments { get; init; } = [];
    public required IReadOnlyList<MixedPool> MixedPools { get; init; }

    /// <summary>Open findings, most severe first (at most <see cref="FleetReportBuilder.MaxFindings"/>).</summary>
    public required IReadOnlyList<ReportFinding> OpenFindings { get; init; }

    /// <summary>Every open finding counted by kind and severity (not capped).</summary>
    public required IReadOnlyList<FindingCount> OpenFindingsByKind { get; init; }

    public int OpenFindingsTotal => OpenFindingsByKind.Sum(c => c.Count);

    /// <summary>The newest audit runs first.</summary>
    public required IReadOnlyList<AuditRun> LastAudits { get; init; }
}
