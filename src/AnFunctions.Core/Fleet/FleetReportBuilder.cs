using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.State;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Fleet;

/// <summary>
/// Builds the <see cref="FleetReport"/> from the stores: reads only, no ARM call. A pool is <em>eligible without AN</em>
/// when its model has AN off and an open finding says its size supports AN (available but off, resized without AN, AN
/// lost, AN write blocked); a pool's cluster comes from its findings (tags), else from an AKS node resource group name
/// (<c>MC_{group}_{cluster}_{region}</c>), else from another finding in its resource group, else it is shown as its
/// resource group.
/// </summary>
public sealed class FleetReportBuilder(
    IStateStore state,
    IFindingStore findings,
    IAuditRunStore runs,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    TimeProvider time)
{
    public const int MaxFindings = 200;
    public const int MaxAudits = 10;

    private static readonly HashSet<FindingKind> SizeSupportsAn =
    [
        FindingKind.AcceleratedNetworkingAvailableButOff,
        FindingKind.SizeChangedWithoutAcceleratedNetworking,
        FindingKind.AcceleratedNetworkingLost,
        FindingKind.AcceleratedNetworkingWriteBlocked,
    ];

    public async Task<FleetReport> BuildAsync(CancellationToken cancellationToken)
    {
        var scope = options.CurrentValue.SubscriptionScope;
        var pools = new List<PoolRecord>();
        await foreach (var pool in state.ListPoolsAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (pool.Status == PoolStatus.Active && (scope.Count == 0 || scope.Contains(pool.Id.SubscriptionId.ToLowerInvariant())))
            {
                pools.Add(pool);
            }
        }

        var open = new List<Finding>();
        await foreach (var finding in findings.ListAsync(new FindingQuery(FindingStatus.Open), cancellationToken).ConfigureAwait(false))
        {
            open.Add(finding);
        }

        var findingsByPool = open.ToLookup(f => f.PoolId.Key, StringComparer.Ordinal);
        // Pool records keep no tags: a cluster named by any finding in a resource group names its other pools too.
        var clusterByGroup = open
            .Where(f => !string.IsNullOrWhiteSpace(f.Evidence.Cluster))
            .GroupBy(f => GroupKey(f.PoolId), StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.OrderBy(f => f.Id, StringComparer.Ordinal).First().Evidence.Cluster!, StringComparer.OrdinalIgnoreCase);
        string ClusterOf(PoolRecord pool) =>
            findingsByPool[pool.Id.Key].Select(f => f.Evidence.Cluster).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c))
            ?? clusterByGroup.GetValueOrDefault(GroupKey(pool.Id))
            ?? AksCluster(pool.Id.ResourceGroup)
            ?? "resource group " + pool.Id.ResourceGroup;
        bool Eligible(PoolRecord pool) => !pool.AcceleratedNetworking && findingsByPool[pool.Id.Key].Any(f => SizeSupportsAn.Contains(f.Kind));

        var rows = pools.Select(p => (Pool: p, Cluster: ClusterOf(p), Eligible: Eligible(p))).ToList();
        CoverageRow Row(string key, IEnumerable<(PoolRecord Pool, string Cluster, bool Eligible)> group)
        {
            var list = group.ToList();
            return new CoverageRow(
                key,
                list.Count,
                list.Count(r => r.Pool.AcceleratedNetworking),
                list.Count(r => r.Eligible),
                list.Sum(r => r.Pool.Instances?.Total ?? 0),
                list.Sum(r => r.Pool.Instances?.WithoutAcceleratedNetworking ?? 0));
        }

        IReadOnlyList<CoverageRow> By(Func<(PoolRecord Pool, string Cluster, bool Eligible), string> key) =>
            rows.GroupBy(key, StringComparer.OrdinalIgnoreCase).Select(g => Row(g.Key, g)).OrderBy(r => r.Key, StringComparer.OrdinalIgnoreCase).ToList();

        var mixed = rows
            .Where(r => r.Pool.AcceleratedNetworking && r.Pool.Instances is { } n && n.WithoutAcceleratedNetworking > 0)
            .Select(r => new MixedPool(r.Pool.Id.Value, r.Pool.Id.Name, r.Cluster, r.Pool.Location, r.Pool.Instances!.Total, r.Pool.Instances.Running, r.Pool.Instances.AcceleratedNetworking, r.Pool.InstancesCheckedAt))
            .OrderByDescending(m => m.WithoutAcceleratedNetworking).ThenBy(m => m.ResourceId, StringComparer.OrdinalIgnoreCase)
            .ToList();

        var clusters = rows.ToDictionary(r => r.Pool.Id.Key, r => r.Cluster, StringComparer.Ordinal);
        var reported = open
            .OrderByDescending(f => f.Severity).ThenBy(f => f.Kind).ThenBy(f => f.PoolId.Value, StringComparer.OrdinalIgnoreCase)
            .Take(MaxFindings)
            .Select(f => new ReportFinding(
                f.Id, f.Kind, f.Severity, f.PoolId.Value, f.PoolId.Name,
                f.Evidence.Cluster ?? clusters.GetValueOrDefault(f.PoolId.Key) ?? AksCluster(f.PoolId.ResourceGroup) ?? "resource group " + f.PoolId.ResourceGroup,
                f.Message, f.Remedy, f.FirstSeen))
            .ToList();
        var byKind = open
            .GroupBy(f => (f.Kind, f.Severity))
            .Select(g => new FindingCount(g.Key.Kind, g.Key.Severity, g.Count(), g.OrderBy(f => f.Id, StringComparer.Ordinal).First().Remedy))
            .OrderByDescending(c => c.Severity).ThenByDescending(c => c.Count).ThenBy(c => c.Kind)
            .ToList();

        return new FleetReport
        {
            GeneratedAt = time.GetUtcNow(),
            Scope = scope.Order(StringComparer.Ordinal).ToList(),
            Totals = Row("fleet", rows),
            BySubscription = By(r => r.Pool.Id.SubscriptionId.ToLowerInvariant()),
            ByCluster = By(r => r.Cluster),
            ByRegion = By(r => r.Pool.Location.ToLowerInvariant()),
            Segments = rows
                .GroupBy(r => (Subscription: r.Pool.Id.SubscriptionId.ToLowerInvariant(), r.Cluster, Region: r.Pool.Location.ToLowerInvariant()))
                .Select(g => new FleetSegment(g.Key.Subscription, g.Key.Cluster, g.Key.Region, Row(g.Key.Cluster, g)))
                .OrderBy(s => s.Subscription, StringComparer.Ordinal).ThenBy(s => s.Cluster, StringComparer.OrdinalIgnoreCase).ThenBy(s => s.Region, StringComparer.Ordinal)
                .ToList(),
            MixedPools = mixed,
            OpenFindings = reported,
            OpenFindingsByKind = byKind,
            LastAudits = await runs.ListAsync(MaxAudits, cancellationToken).ConfigureAwait(false),
        };
    }

    private static string GroupKey(ScaleSets.ScaleSetId id) => id.SubscriptionId + "/" + id.ResourceGroup;

    /// <summary>The cluster of an AKS node resource group (<c>MC_{group}_{cluster}_{region}</c>), else null.</summary>
    public static string? AksCluster(string resourceGroup)
    {
        var parts = resourceGroup.Split('_');
        return parts.Length >= 4 && parts[0].Equals("MC", StringComparison.OrdinalIgnoreCase) && parts[^2].Length > 0 ? parts[^2] : null;
    }
}
