using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>The result of one audit run.</summary>
public sealed record AuditRun(
    DateTimeOffset Started,
    DateTimeOffset Ended,
    IReadOnlyList<string> Subscriptions,
    int PoolsSeen,
    int PoolsRecorded,
    int PoolsClosed,
    int Writes,
    IReadOnlyList<string> Errors);

/// <summary>
/// Audits every pool in scope from one listing per subscription (no per-pool GET): each listed scale set goes through
/// the same decision as an event would (so a new pool whose event was lost still gets AN), unknown pools are recorded
/// as they are, and records of pools gone from Azure are closed. One subscription failing does not stop the others.
/// </summary>
public sealed partial class FleetAudit(
    Core.ScaleSets.IScaleSetClient scaleSets,
    ISubscriptionSource subscriptions,
    PoolReconciler reconciler,
    RefusedWriteHandler refusedWrites,
    FindingEngine findings,
    IStateStore store,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    TimeProvider time,
    ILogger<FleetAudit> logger)
{
    public async Task<AuditRun> RunAsync(CancellationToken cancellationToken)
    {
        var started = time.GetUtcNow();
        var scope = await ScopeAsync(cancellationToken).ConfigureAwait(false);
        int seen = 0, recorded = 0, closed = 0, writes = 0;
        var errors = new List<string>();

        foreach (var subscription in scope)
        {
            try
            {
                var listed = new HashSet<string>(StringComparer.Ordinal);
                await foreach (var scaleSet in scaleSets.ListAsync(subscription, cancellationToken).ConfigureAwait(false))
                {
                    seen++;
                    listed.Add(scaleSet.Id.Key);
                    var known = await store.GetPoolAsync(scaleSet.Id, cancellationToken).ConfigureAwait(false);
                    var result = await reconciler.ReconcileAsync(new ReconcileRequest(scaleSet.Id, "audit"), scaleSet, cancellationToken).ConfigureAwait(false);
                    recorded += known is null && result.Pool is not null ? 1 : 0;
                    writes += result.WriteSent ? 1 : 0;
                }

                await foreach (var pool in store.ListPoolsAsync(subscription, cancellationToken).ConfigureAwait(false))
                {
                    if (pool.Status == PoolStatus.Active && !listed.Contains(pool.Id.Key))
                    {
                        var now = time.GetUtcNow();
                        await store.SavePoolAsync(pool with { Status = PoolStatus.Deleted, DeletedAt = now, LastSeen = now }, cancellationToken).ConfigureAwait(false);
                        await findings.ResolveAllAsync(pool.Id, cancellationToken).ConfigureAwait(false);
                        closed++;
                    }
                }
            }
            catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException or ConcurrencyConflictException)
            {
                errors.Add($"{subscription}: {e.Message}");
                LogSubscriptionFailed(logger, subscription, e.Message);
            }
        }

        try
        {
            await refusedWrites.CompletePendingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException)
        {
            errors.Add($"refused-write lookups: {e.Message}");
        }

        var run = new AuditRun(started, time.GetUtcNow(), scope, seen, recorded, closed, writes, errors);
        LogAuditCompleted(logger, scope.Count, seen, recorded, closed, writes, errors.Count);
        return run;
    }

    private async Task<IReadOnlyList<string>> ScopeAsync(CancellationToken cancellationToken)
    {
        var configured = options.CurrentValue.SubscriptionScope;
        if (configured.Count > 0)
        {
            return configured.Order(StringComparer.Ordinal).ToList();
        }

        var all = new List<string>();
        await foreach (var subscription in subscriptions.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            all.Add(subscription.ToLowerInvariant());
        }

        return all.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    [LoggerMessage(1300, LogLevel.Warning, "Audit of subscription {SubscriptionId} failed; the other subscriptions go on: {Error}", EventName = "AuditSubscriptionFailed")]
    private static partial void LogSubscriptionFailed(ILogger logger, string subscriptionId, string error);

    [LoggerMessage(1301, LogLevel.Information, "Audit completed: {SubscriptionCount} subscription(s), {PoolsSeen} pool(s) seen, {PoolsRecorded} recorded, {PoolsClosed} closed, {Writes} write(s), {ErrorCount} error(s)", EventName = "AuditCompleted")]
    private static partial void LogAuditCompleted(ILogger logger, int subscriptionCount, int poolsSeen, int poolsRecorded, int poolsClosed, int writes, int errorCount);
}
