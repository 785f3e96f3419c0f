using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Core.Rollouts;

/// <summary>
/// Runs a recorded rollout, Azure's documented way, one batch after the other: deallocate the batch's running nodes,
/// bring the batch to the latest model, start them again, check that they run with AN, then the next batch. Every step
/// is recorded before the next starts, so a crash resumes where it stopped (the steps are idempotent), and the first
/// failure stops the rollout and is reported; a batch that was deallocated is started again before giving up, so a
/// failure never leaves more nodes down than one batch, and not for longer than it takes to notice.
/// </summary>
public sealed partial class RolloutRunner(IScaleSetClient scaleSets, IRolloutStore store, IStateStore pools, Findings.NodeCheck nodes, TimeProvider time, ILogger<RolloutRunner> logger)
{
    /// <summary>
    /// Transient failures a rollout outlives (the queue delivers its message again each time); the next one stops it, so
    /// that a pool is never left with a rollout that can neither finish nor be replaced.
    /// </summary>
    public const int MaxTransientFailures = 4;

    /// <summary>Runs the rollout named by a queue message; throws <see cref="FormatException"/> for a message that is not one.</summary>
    public async Task<Rollout?> RunMessageAsync(string message, CancellationToken cancellationToken)
    {
        var parsed = RolloutMessage.TryParse(message) ?? throw new FormatException("the queue message is not a rollout ({\"rolloutId\": \"rollout-...\"})");
        return await RunAsync(parsed.RolloutId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs (or resumes) the rollout to its end. A finished rollout is returned as it is (a redelivered message does
    /// nothing); an unknown id returns null. A transient ARM failure throws, so that the queue delivers the message
    /// again and the rollout resumes at the step it reached.
    /// </summary>
    public async Task<Rollout?> RunAsync(string rolloutId, CancellationToken cancellationToken)
    {
        var rollout = await store.GetAsync(rolloutId, cancellationToken).ConfigureAwait(false);
        if (rollout is null || rollout.IsFinished)
        {
            return rollout;
        }

        if (rollout.Status == RolloutStatus.Queued)
        {
            rollout = await SaveAsync(rollout with { Status = RolloutStatus.Running, StartedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            LogStarted(logger, rollout.RolloutId, rollout.PoolId.Value, rollout.Batches.Count);
        }

        for (var index = 0; index < rollout.Batches.Count; index++)
        {
            var batch = rollout.Batches[index];
            try
            {
                while (batch.Step != BatchStep.Done)
                {
                    batch = await AdvanceAsync(rollout.PoolId, batch, cancellationToken).ConfigureAwait(false);
                    rollout = await SaveAsync(With(rollout, batch), cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ArmRequestException e) when (!e.IsTransient)
            {
                return await FailAsync(rollout, batch, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (ArmRequestException e)
            {
                // Counted, the last one included: the record says how many failures the rollout met, as the error does.
                var counted = rollout with { TransientFailures = rollout.TransientFailures + 1, LastTransientError = e.Message };
                if (counted.TransientFailures >= MaxTransientFailures)
                {
                    return await FailAsync(counted, batch, $"{e.Message} (transient, but the {MaxTransientFailures}th failure of this rollout: given up)", cancellationToken).ConfigureAwait(false);
                }

                // Kept, then thrown: the queue delivers the message again and the rollout resumes at this batch's step.
                await SaveAsync(With(counted, batch), cancellationToken).ConfigureAwait(false);
                LogTransient(logger, rollout.RolloutId, rollout.PoolId.Value, batch.Index, e.Message);
                throw;
            }
            catch (RolloutCheckFailedException e)
            {
                return await FailAsync(rollout, batch, e.Message, cancellationToken).ConfigureAwait(false);
            }
        }

        rollout = await SaveAsync(rollout with { Status = RolloutStatus.Succeeded, EndedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
        LogSucceeded(logger, rollout.RolloutId, rollout.PoolId.Value, rollout.Batches.Sum(b => b.InstanceIds.Count));
        await RecheckNodesAsync(rollout.PoolId, cancellationToken).ConfigureAwait(false);
        return rollout;
    }

    /// <summary>
    /// The pool record and the mixed-pool finding follow what the rollout did, at once rather than at the next audit.
    /// Best effort: the rollout is recorded already, and the audit checks the nodes again anyway.
    /// </summary>
    private async Task RecheckNodesAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        try
        {
            if (await pools.GetPoolAsync(poolId, cancellationToken).ConfigureAwait(false) is { Status: PoolStatus.Active } pool
                && await scaleSets.GetAsync(poolId, cancellationToken).ConfigureAwait(false) is { } scaleSet)
            {
                await nodes.CheckAsync(pool, scaleSet, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException or ConcurrencyConflictException)
        {
            LogRecheckFailed(logger, poolId.Value, e.Message);
        }
    }

    /// <summary>One step of the documented path for one batch.</summary>
    private async Task<RolloutBatch> AdvanceAsync(ScaleSetId pool, RolloutBatch batch, CancellationToken cancellationToken)
    {
        switch (batch.Step)
        {
            case BatchStep.Pending:
                if (batch.Running.Count > 0)
                {
                    await scaleSets.RunInstanceActionAsync(pool, InstanceAction.Deallocate, batch.Running, cancellationToken).ConfigureAwait(false);
                }

                return batch with { Step = BatchStep.Deallocated, StartedAt = batch.StartedAt ?? time.GetUtcNow() };
            case BatchStep.Deallocated:
                await scaleSets.RunInstanceActionAsync(pool, InstanceAction.ManualUpgrade, batch.InstanceIds, cancellationToken).ConfigureAwait(false);
                return batch with { Step = BatchStep.Upgraded };
            case BatchStep.Upgraded:
                if (batch.Running.Count > 0)
                {
                    await scaleSets.RunInstanceActionAsync(pool, InstanceAction.Start, batch.Running, cancellationToken).ConfigureAwait(false);
                }

                await CheckAsync(pool, batch, cancellationToken).ConfigureAwait(false);
                return batch with { Step = BatchStep.Done, FinishedAt = time.GetUtcNow() };
            default:
                return batch;
        }
    }

    /// <summary>Each node of the batch now runs with AN, and those that ran before run again.</summary>
    private async Task CheckAsync(ScaleSetId pool, RolloutBatch batch, CancellationToken cancellationToken)
    {
        var byId = (await scaleSets.ListInstancesAsync(pool, cancellationToken).ConfigureAwait(false)).ToDictionary(i => i.InstanceId, StringComparer.OrdinalIgnoreCase);
        var wrong = batch.InstanceIds
            .Where(id => !byId.TryGetValue(id, out var instance) || instance.AcceleratedNetworking != true || (batch.Running.Contains(id) && !instance.IsUp))
            .ToList();
        if (wrong.Count > 0)
        {
            throw new RolloutCheckFailedException($"instance(s) {string.Join(", ", wrong)} of batch {batch.Index} did not come back running with AN");
        }
    }

    private async Task<Rollout> FailAsync(Rollout rollout, RolloutBatch batch, string error, CancellationToken cancellationToken)
    {
        var restarted = string.Empty;
        if (batch.Step is BatchStep.Deallocated or BatchStep.Upgraded && batch.Running.Count > 0)
        {
            // The nodes of the failed batch were taken down by this rollout: bring them back rather than leave them.
            try
            {
                await scaleSets.RunInstanceActionAsync(rollout.PoolId, InstanceAction.Start, batch.Running, cancellationToken).ConfigureAwait(false);
                restarted = $"; the batch's node(s) {string.Join(", ", batch.Running)} were started again";
            }
            catch (ArmRequestException e)
            {
                restarted = $"; starting the batch's node(s) {string.Join(", ", batch.Running)} again failed too ({e.Message}): they may still be deallocated";
            }
        }

        var failed = batch with { Error = error + restarted };
        rollout = await SaveAsync(With(rollout, failed) with
        {
            Status = RolloutStatus.Failed,
            EndedAt = time.GetUtcNow(),
            Error = $"batch {batch.Index} ({string.Join(", ", batch.InstanceIds)}) failed at {batch.Step}: {error}{restarted}",
        }, cancellationToken).ConfigureAwait(false);
        LogFailed(logger, rollout.RolloutId, rollout.PoolId.Value, batch.Index, rollout.Error!);
        await RecheckNodesAsync(rollout.PoolId, cancellationToken).ConfigureAwait(false);
        return rollout;
    }

    private static Rollout With(Rollout rollout, RolloutBatch batch) =>
        rollout with { Batches = rollout.Batches.Select(b => b.Index == batch.Index ? batch : b).ToList() };

    private Task<Rollout> SaveAsync(Rollout rollout, CancellationToken cancellationToken) => store.SaveAsync(rollout, cancellationToken);

    [LoggerMessage(1710, LogLevel.Warning, "Rollout {RolloutId} of {ResourceId} started: {BatchCount} batch(es)", EventName = "RolloutStarted")]
    private static partial void LogStarted(ILogger logger, string rolloutId, string resourceId, int batchCount);

    [LoggerMessage(1711, LogLevel.Information, "Rollout {RolloutId} of {ResourceId} succeeded: {InstanceCount} node(s) now run with AN", EventName = "RolloutSucceeded")]
    private static partial void LogSucceeded(ILogger logger, string rolloutId, string resourceId, int instanceCount);

    [LoggerMessage(1713, LogLevel.Warning, "Rollout {RolloutId} of {ResourceId} paused at batch {BatchIndex} by a transient failure; it resumes when the queue delivers it again: {Error}", EventName = "RolloutPaused")]
    private static partial void LogTransient(ILogger logger, string rolloutId, string resourceId, int batchIndex, string error);

    [LoggerMessage(1714, LogLevel.Warning, "After a rollout of {ResourceId}, its nodes could not be checked again (the next audit will): {Error}", EventName = "RolloutRecheckFailed")]
    private static partial void LogRecheckFailed(ILogger logger, string resourceId, string error);

    [LoggerMessage(1712, LogLevel.Error, "Rollout {RolloutId} of {ResourceId} stopped at batch {BatchIndex}: {Error}", EventName = "RolloutFailed")]
    private static partial void LogFailed(ILogger logger, string rolloutId, string resourceId, int batchIndex, string error);
}

/// <summary>A batch did not come back as it should (not running, or without AN): the rollout stops.</summary>
public sealed class RolloutCheckFailedException : Exception
{
    public RolloutCheckFailedException() { }

    public RolloutCheckFailedException(string message) : base(message) { }

    public RolloutCheckFailedException(string message, Exception inner) : base(message, inner) { }
}
