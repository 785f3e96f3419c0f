using AnFunctions.Core.Decisions;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Rollouts;

public enum RolloutStartStatus
{
    /// <summary>The plan only: nothing recorded, nothing touched (dry-run).</summary>
    Planned,

    /// <summary>Recorded and queued.</summary>
    Accepted,

    /// <summary>Every node that may be touched already runs with AN: nothing recorded (a re-sent request for a finished rollout ends here).</summary>
    NothingToDo,

    /// <summary>Refused before anything was touched (<see cref="RolloutPlan.Refusal"/> says why).</summary>
    Refused,

    /// <summary>The pool already has a rollout queued or running.</summary>
    InProgress,

    NotFound,
    OutOfScope,
}

/// <summary>What a rollout request led to: the plan, and the rollout recorded (new, in progress, or the last one).</summary>
public sealed record RolloutStart(RolloutStartStatus Status, RolloutPlan? Plan, Rollout? Rollout);

/// <summary>
/// Answers a rollout request: plans it from the pool as ARM has it now, answers the plan for a dry-run, refuses what must
/// not be rolled out, and otherwise records the rollout as the pool's only active one and queues it.
/// </summary>
public sealed partial class RolloutStarter(
    IScaleSetClient scaleSets,
    IVmSizeCatalogProvider catalogs,
    IRolloutStore store,
    IRolloutQueue queue,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    TimeProvider time,
    ILogger<RolloutStarter> logger)
{
    public async Task<RolloutStart> StartAsync(ScaleSetId id, int batchSize, bool dryRun, string trigger, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!settings.IsInScope(id.SubscriptionId))
        {
            return new RolloutStart(RolloutStartStatus.OutOfScope, null, null);
        }

        var scaleSet = await scaleSets.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (scaleSet is null)
        {
            return new RolloutStart(RolloutStartStatus.NotFound, null, null);
        }

        var plan = await PlanAsync(scaleSet, batchSize, settings, cancellationToken).ConfigureAwait(false);
        if (plan.IsRefused)
        {
            LogRefused(logger, id.Value, plan.Refusal!.Value, plan.Explanation);
            return new RolloutStart(RolloutStartStatus.Refused, plan, null);
        }

        if (!dryRun && await store.GetActiveAsync(id, cancellationToken).ConfigureAwait(false) is { } active)
        {
            return new RolloutStart(RolloutStartStatus.InProgress, plan, active);
        }

        if (plan.NothingToDo)
        {
            return new RolloutStart(RolloutStartStatus.NothingToDo, plan, await store.GetLatestAsync(id, cancellationToken).ConfigureAwait(false));
        }

        if (dryRun)
        {
            return new RolloutStart(RolloutStartStatus.Planned, plan, null);
        }

        var now = time.GetUtcNow();
        Rollout recorded;
        try
        {
            recorded = await store.StartAsync(new Rollout
            {
                RolloutId = Rollout.NewId(now),
                PoolId = id,
                BatchSize = batchSize,
                Trigger = trigger,
                RequestedAt = now,
                Batches = plan.Batches,
                Skipped = plan.Skipped,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (RolloutInProgressException e)
        {
            return new RolloutStart(RolloutStartStatus.InProgress, plan, e.Active);
        }

        await queue.EnqueueAsync(new RolloutMessage(recorded.RolloutId), cancellationToken).ConfigureAwait(false);
        LogQueued(logger, recorded.RolloutId, id.Value, plan.Batches.Count, batchSize, trigger);
        return new RolloutStart(RolloutStartStatus.Accepted, plan, await store.GetAsync(recorded.RolloutId, cancellationToken).ConfigureAwait(false) ?? recorded);
    }

    private async Task<RolloutPlan> PlanAsync(ScaleSetSnapshot scaleSet, int batchSize, AcceleratedNetworkingOptions settings, CancellationToken cancellationToken)
    {
        // AKS is refused before anything else is read: the app does not even list the instances of a scale set AKS manages.
        if (scaleSet.Provisioner.ForbidsDirectWrites)
        {
            return RolloutPlanner.Plan(scaleSet, [], new AcceleratedNetworkingSupport(SupportVerdict.Unknown, [], null), batchSize, settings.NodeSafety, settings.OptOutTag);
        }

        var catalog = await catalogs.GetAsync(scaleSet.Id.SubscriptionId, scaleSet.Location, cancellationToken).ConfigureAwait(false);
        var instances = await scaleSets.ListInstancesAsync(scaleSet.Id, cancellationToken).ConfigureAwait(false);
        return RolloutPlanner.Plan(scaleSet, instances, AcceleratedNetworkingSupport.Evaluate(scaleSet, catalog), batchSize, settings.NodeSafety, settings.OptOutTag);
    }

    [LoggerMessage(1700, LogLevel.Warning, "Rollout {RolloutId} of {ResourceId} queued by {Trigger}: {BatchCount} batch(es) of at most {BatchSize}", EventName = "RolloutQueued")]
    private static partial void LogQueued(ILogger logger, string rolloutId, string resourceId, int batchCount, int batchSize, string trigger);

    [LoggerMessage(1701, LogLevel.Information, "Rollout of {ResourceId} refused ({Refusal}): {Explanation}", EventName = "RolloutRefused")]
    private static partial void LogRefused(ILogger logger, string resourceId, RolloutRefusal refusal, string explanation);
}
