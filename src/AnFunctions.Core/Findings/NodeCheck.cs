using AnFunctions.Core.Audit;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Findings;

/// <summary>
/// The nodes' truth of one pool the app enabled AN on: one instance listing, the counts kept on the pool record, and
/// the mixed-pool finding (information; a warning once <see cref="AuditOptions.InstanceGracePeriod"/> has passed since
/// the app enabled AN) opened, updated or resolved. The audit runs it for the pools that need it; a rollout runs it
/// when it ends, so that on-call sees the result at once.
/// </summary>
public sealed class NodeCheck(IScaleSetClient scaleSets, IStateStore store, FindingEngine findings, IOptionsMonitor<AuditOptions> auditOptions, TimeProvider time)
{
    /// <summary>The kinds a node check speaks for (the superseded <see cref="FindingKind.InstancesNotOnLatestModel"/> resolves).</summary>
    public static readonly IReadOnlySet<FindingKind> Kinds = new HashSet<FindingKind> { FindingKind.NodesWithoutAcceleratedNetworking, FindingKind.InstancesNotOnLatestModel };

    public async Task<FindingChanges> CheckAsync(PoolRecord pool, ScaleSetSnapshot scaleSet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(scaleSet);
        var instances = await scaleSets.ListInstancesAsync(pool.Id, cancellationToken).ConfigureAwait(false);
        var counts = InstanceCounts.Of(instances);
        var now = time.GetUtcNow();
        await store.SavePoolAsync(pool with { Instances = counts, InstancesCheckedAt = now, InstancesNotOnLatestModel = counts.Total - counts.OnLatestModel }, cancellationToken).ConfigureAwait(false);
        var overdue = pool.EnabledAt is { } enabled && now - enabled >= auditOptions.CurrentValue.InstanceGracePeriod;
        var drafts = counts.WithoutAcceleratedNetworking > 0
            ? new[]
            {
                FindingTexts.NodesWithoutAn(pool.Id, scaleSet.Provisioner, counts, overdue ? FindingSeverity.Warning : FindingSeverity.Info,
                    new FindingEvidence
                    {
                        CurrentSizes = pool.VmSizes,
                        AcceleratedNetworking = scaleSet.AcceleratedNetworkingOnAll,
                        Location = pool.Location,
                        Cluster = ClusterName.From(scaleSet.Tags),
                        UpgradePolicy = scaleSet.UpgradePolicy.ToString(),
                        Nodes = counts,
                        Owner = scaleSet.Provisioner.Owner.ToString(),
                    }),
            }
            : [];
        return await findings.ApplyAsync(pool.Id, new FindingEvaluation(drafts, Kinds), cancellationToken).ConfigureAwait(false);
    }
}
