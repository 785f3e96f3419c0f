using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Explain;

public enum ExplainStatus
{
    Explained,

    /// <summary>The subscription is not in scope: the app does not read what it may not manage.</summary>
    OutOfScope,

    /// <summary>ARM has no such scale set.</summary>
    NotFound,
}

/// <summary>The AN evidence for one VM size of the pool, from the region's SKU list.</summary>
public sealed record SizeExplanation(string VmSize, SupportVerdict Verdict, string Evidence, bool? AcceleratedNetworkingCapable, bool? Available, string? RestrictionReason);

public sealed record NicExplanation(string Name, bool Primary, bool AcceleratedNetworking);

/// <summary>Who owns the pool, and the names its tools need.</summary>
public sealed record OwnerExplanation(PoolOwner Owner, string? Cluster, string? NodePool, bool AppWritesToIt);

/// <summary>The nodes' truth: every instance as ARM lists it now, and the counts.</summary>
public sealed record NodesExplanation(InstanceCounts Counts, IReadOnlyList<PoolInstance> Instances);

public sealed record ScopeExplanation(bool InScope, IReadOnlyList<string> Subscriptions, string OptOutTag, string? OptOutTagValue, bool OptedOut, bool DryRunSetting);

/// <summary>The decision the app would make now (a preview: nothing sent, nothing recorded), with its planned write.</summary>
public sealed record DecisionPreview(DecisionOutcome Outcome, DecisionReason Reason, string Explanation, bool IsNewPool, string? WriteMethod, string? WriteBody);

/// <summary>Everything on-call needs to answer "why?" about one pool, in one answer.</summary>
public sealed record PoolExplanation
{
    public required string ResourceId { get; init; }
    public required string Location { get; init; }
    public required string SkuName { get; init; }
    public required IReadOnlyList<string> VmSizes { get; init; }
    public long? Capacity { get; init; }
    public DateTimeOffset? TimeCreated { get; init; }
    public string? ProvisioningState { get; init; }
    public required SupportVerdict Support { get; init; }
    public required IReadOnlyList<SizeExplanation> Sizes { get; init; }

    /// <summary>When the SKU list these verdicts come from was read (it is cached for <c>SkuCacheTtl</c>).</summary>
    public DateTimeOffset? SkuListReadAt { get; init; }

    public required IReadOnlyList<NicExplanation> NetworkInterfaces { get; init; }
    public required bool AcceleratedNetworkingOnAll { get; init; }

    /// <summary>How a model write reaches the running nodes (what the safety gate decides from).</summary>
    public required string UpgradePolicy { get; init; }

    public required OwnerExplanation Owner { get; init; }

    /// <summary>The nodes as they run now: power state, model and AN as applied to each.</summary>
    public required NodesExplanation Nodes { get; init; }
    public required DecisionPreview Decision { get; init; }
    public required ScopeExplanation Scope { get; init; }

    /// <summary>The app's record of the pool (null when it holds none).</summary>
    public PoolRecord? Record { get; init; }

    /// <summary>True when a record is held but describes an earlier pool under the same id (recreated, or closed).</summary>
    public bool RecordIsOfAnEarlierPool { get; init; }

    public required IReadOnlyList<DecisionRecord> RecentDecisions { get; init; }
    public required IReadOnlyList<Finding> OpenFindings { get; init; }
}

public sealed record PoolExplainResult(ExplainStatus Status, PoolExplanation? Explanation);

/// <summary>
/// Composes the answer to "why is this pool as it is?": the scale set as ARM has it now, the SKU evidence per size,
/// the decision the app would make now (evaluated, not recorded), scope and opt-out, the pool record, the last
/// decisions with their reasons and the open findings. Reads only.
/// </summary>
public sealed class PoolExplainer(
    IScaleSetClient scaleSets,
    PoolReconciler reconciler,
    IStateStore store,
    IFindingStore findings,
    IOptionsMonitor<AcceleratedNetworkingOptions> options)
{
    public const int RecentDecisionCount = 10;

    public async Task<PoolExplainResult> ExplainAsync(ScaleSetId id, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!settings.IsInScope(id.SubscriptionId))
        {
            return new PoolExplainResult(ExplainStatus.OutOfScope, null);
        }

        var scaleSet = await scaleSets.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (scaleSet is null)
        {
            return new PoolExplainResult(ExplainStatus.NotFound, null);
        }

        var instances = await scaleSets.ListInstancesAsync(id, cancellationToken).ConfigureAwait(false);
        var evaluation = await reconciler.EvaluateAsync(scaleSet, RunMode.Preview, instances, cancellationToken).ConfigureAwait(false);
        var owner = scaleSet.Provisioner;
        var decisions = await store.GetDecisionsAsync(id, RecentDecisionCount, cancellationToken).ConfigureAwait(false);
        var open = (await findings.ListForPoolAsync(id, cancellationToken).ConfigureAwait(false)).Where(f => f.IsOpen).ToList();
        var optOutValue = scaleSet.Tag(settings.OptOutTag);
        var decision = evaluation.Decision;

        return new PoolExplainResult(ExplainStatus.Explained, new PoolExplanation
        {
            ResourceId = scaleSet.Id.Value,
            Location = scaleSet.Location,
            SkuName = scaleSet.SkuName,
            VmSizes = scaleSet.VmSizes,
            Capacity = scaleSet.Capacity,
            TimeCreated = scaleSet.TimeCreated,
            ProvisioningState = scaleSet.ProvisioningState,
            Support = evaluation.Support.Verdict,
            Sizes = evaluation.Support.Sizes.Select(s =>
            {
                var capability = evaluation.Catalog.Find(s.VmSize);
                return new SizeExplanation(s.VmSize, s.Verdict, s.Evidence, capability?.AcceleratedNetworkingCapable, capability?.Available, capability?.RestrictionReason);
            }).ToList(),
            SkuListReadAt = evaluation.Support.CatalogReadAt,
            NetworkInterfaces = scaleSet.NetworkInterfaces.Select(n => new NicExplanation(n.Name, n.Primary, n.AcceleratedNetworkingOn)).ToList(),
            AcceleratedNetworkingOnAll = scaleSet.AcceleratedNetworkingOnAll,
            UpgradePolicy = scaleSet.UpgradePolicy.ToString(),
            Owner = new OwnerExplanation(owner.Owner, owner.Cluster, owner.NodePool, !owner.ForbidsDirectWrites),
            Nodes = new NodesExplanation(InstanceCounts.Of(instances), instances),
            Decision = new DecisionPreview(decision.Outcome, decision.Reason, decision.Explanation, decision.IsNewPool, decision.Write?.Method, decision.Write?.Body),
            Scope = new ScopeExplanation(true, settings.SubscriptionScope.Order(StringComparer.Ordinal).ToList(), settings.OptOutTag, optOutValue,
                string.Equals(optOutValue, "disabled", StringComparison.OrdinalIgnoreCase), settings.DryRun),
            Record = evaluation.Stored,
            RecordIsOfAnEarlierPool = evaluation.Stored is not null && evaluation.Record is null,
            RecentDecisions = decisions,
            OpenFindings = open,
        });
    }
}
