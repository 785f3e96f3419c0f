using System.Collections.Concurrent;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>
/// Audits every pool in scope from one listing per subscription (no per-pool GET): each listed scale set goes through
/// the same decision and finding rules as an event (so a lost event is caught, drift is found, and findings that no
/// longer hold resolve), pools gone from Azure are closed, and instance models are checked only for the pools the app
/// enabled AN on. Storage is read per subscription (records and open findings, a query each) and written only where
/// something changed (<see cref="AuditSweeper"/>). Subscriptions run in parallel up to a bound; one failing does not
/// stop the others. Every run is recorded with its ARM calls and Table round trips by kind. With
/// <see cref="AuditSource.ResourceGraph"/> the fleet is read in one query for all subscriptions instead; its rows can
/// lag ARM, so a row that does not agree with the pool's record, a pool to be written and an alarm are read again
/// from ARM first, and a recorded pool missing from the rows is closed only when ARM says it is gone.
/// </summary>
public sealed partial class FleetAudit(
    IScaleSetClient scaleSets,
    IScaleSetIndex index,
    ISubscriptionSource subscriptions,
    AuditSweeper sweeper,
    RefusedWriteHandler refusedWrites,
    IAuditRunStore runs,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    IOptionsMonitor<AuditOptions> auditOptions,
    TimeProvider time,
    ILogger<FleetAudit> logger)
{
    public Task<AuditRun> RunAsync(CancellationToken cancellationToken) => RunAsync(new AuditRequest("timer"), cancellationToken);

    public async Task<AuditRun> RunAsync(AuditRequest request, CancellationToken cancellationToken)
    {
        using var meter = ArmCallMeter.Begin();
        using var tableCalls = TableCallMeter.Begin();
        var run = new AuditRun
        {
            RunId = request.RunId ?? AuditRun.NewId(time.GetUtcNow()),
            Trigger = request.Trigger,
            Started = time.GetUtcNow(),
            SubscriptionFilter = request.SubscriptionId?.ToLowerInvariant(),
            ResourceGroupFilter = request.ResourceGroup,
            DryRun = request.DryRun,
        };
        await runs.SaveAsync(run, cancellationToken).ConfigureAwait(false);

        var tally = new Tally();
        var results = new ConcurrentBag<SubscriptionAudit>();
        IReadOnlyList<string> scope = [];
        try
        {
            scope = await ScopeAsync(request, cancellationToken).ConfigureAwait(false);
            var rows = auditOptions.CurrentValue.Source == AuditSource.ResourceGraph && scope.Count > 0
                ? await ReadIndexAsync(scope, tally, cancellationToken).ConfigureAwait(false)
                : null;
            await Parallel.ForEachAsync(scope,
                new ParallelOptions { MaxDegreeOfParallelism = auditOptions.CurrentValue.SubscriptionConcurrency, CancellationToken = cancellationToken },
                async (subscription, ct) => results.Add(await AuditSubscriptionAsync(subscription, rows, request, tally, ct).ConfigureAwait(false))).ConfigureAwait(false);

            if (!request.DryRun)
            {
                // The refused writes still waiting for their Activity Log entry, from the open findings already read.
                await refusedWrites.CompletePendingAsync(tally.PendingRefusedWrites.ToList(), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException)
        {
            tally.Errors.Add($"audit: {e.Message}");
        }

        var subscriptionResults = results.OrderBy(r => r.SubscriptionId, StringComparer.Ordinal).ToList();
        var errors = tally.Errors.ToList();
        run = run with
        {
            Ended = time.GetUtcNow(),
            Status = scope.Count == 0 && errors.Count > 0 ? AuditRunStatus.Failed
                : errors.Count > 0 ? AuditRunStatus.CompletedWithErrors
                : AuditRunStatus.Completed,
            Subscriptions = subscriptionResults,
            PoolsSeen = tally.Seen,
            PoolsRecorded = tally.Recorded,
            PoolsClosed = tally.Closed,
            PoolsChanged = tally.Changed,
            Writes = tally.Writes,
            InstanceChecks = tally.InstanceChecks,
            FindingsOpenedCount = tally.Opened.Count,
            FindingsResolvedCount = tally.Resolved.Count,
            FindingsOpened = tally.Opened.Order(StringComparer.Ordinal).Take(AuditRun.MaxListedFindings).ToList(),
            FindingsResolved = tally.Resolved.Order(StringComparer.Ordinal).Take(AuditRun.MaxListedFindings).ToList(),
            ArmCalls = meter.Counts,
            Errors = errors,
        };

        // Every round trip of the run but the save that records them.
        run = run with { TableCalls = tableCalls.Counts };
        await runs.SaveAsync(run, cancellationToken).ConfigureAwait(false);
        LogAuditCompleted(logger, run.RunId, scope.Count, run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.Writes, meter.Total, errors.Count);
        return run;
    }

    /// <summary>
    /// The rows of every subscription in scope from the index, by subscription; null when the index cannot answer (the
    /// run then lists each subscription from ARM, and says so among its errors).
    /// </summary>
    private async Task<IndexRows?> ReadIndexAsync(IReadOnlyList<string> scope, Tally tally, CancellationToken cancellationToken)
    {
        var readAt = time.GetUtcNow();
        var bySubscription = new Dictionary<string, List<ScaleSetListItem>>(StringComparer.OrdinalIgnoreCase);
        try
        {
            await foreach (var item in index.ListAsync(scope, cancellationToken).ConfigureAwait(false))
            {
                var subscription = ScaleSetId.TryParse(item.ResourceId, out var id, out _) ? id.SubscriptionId : SubscriptionOf(item.ResourceId);
                if (subscription is null)
                {
                    tally.Errors.Add($"{item.ResourceId}: could not be read from Resource Graph: {item.Problem ?? "no subscription in its id"}");
                    continue;
                }

                if (!bySubscription.TryGetValue(subscription, out var list))
                {
                    bySubscription[subscription] = list = [];
                }

                list.Add(item);
            }

            return new IndexRows(bySubscription, readAt);
        }
        catch (ArmRequestException e)
        {
            tally.Errors.Add($"resource graph: {e.Message}; the subscriptions were listed from ARM instead");
            LogIndexFailed(logger, e.Message);
            return null;
        }
    }

    private static string? SubscriptionOf(string resourceId)
    {
        var segments = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length >= 2 && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase) ? segments[1].ToLowerInvariant() : null;
    }

    private async Task<SubscriptionAudit> AuditSubscriptionAsync(string subscription, IndexRows? rows, AuditRequest request, Tally tally, CancellationToken cancellationToken)
    {
        var pools = 0;
        AuditSweeper.SubscriptionSweep? sweep = null;
        var listed = false;
        try
        {
            // Records and open findings first: the listing is then never older than what it is compared with (an index
            // read before them is judged against them row by row: IndexedRows).
            sweep = await sweeper.BeginAsync(subscription, request, rows?.ReadAt, cancellationToken).ConfigureAwait(false);
            var listing = rows is null ? scaleSets.ListAsync(subscription, cancellationToken) : rows.Of(subscription);
            await foreach (var item in listing.ConfigureAwait(false))
            {
                // Assigned first, then tested (not `is not { } scaleSet`): a pattern variable is definitely assigned only
                // on one branch, so a mutated condition does not compile and Stryker gives up the whole method.
                var scaleSet = item.ScaleSet;
                if (scaleSet is null)
                {
                    Unreadable(item, request, sweep, tally, ref pools);
                    continue;
                }

                if (request.ResourceGroup is not null && !scaleSet.Id.ResourceGroup.Equals(request.ResourceGroup, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                pools++;
                Interlocked.Increment(ref tally.Seen);
                await sweep.AddAsync(scaleSet, cancellationToken).ConfigureAwait(false);
            }

            listed = true;
            tally.Add(await sweep.CompleteAsync(listingComplete: true, cancellationToken).ConfigureAwait(false), logger);
            return new SubscriptionAudit(subscription, pools, null);
        }
        catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException)
        {
            if (sweep is not null && !listed && e is ArmRequestException)
            {
                // The listing failed part-way: what it gave is audited; nothing is closed on a partial listing.
                try
                {
                    tally.Add(await sweep.CompleteAsync(listingComplete: false, cancellationToken).ConfigureAwait(false), logger);
                }
                catch (Exception inner) when (inner is ArmRequestException or StateStoreUnavailableException)
                {
                    tally.Errors.Add($"{subscription}: {inner.Message}");
                }
            }

            tally.Errors.Add($"{subscription}: {e.Message}");
            LogSubscriptionFailed(logger, subscription, e.Message);
            return new SubscriptionAudit(subscription, pools, e.Message);
        }
    }

    /// <summary>
    /// A listed scale set the app cannot read: an error of that pool, named, with the reason; it is still there, so
    /// its record is not closed as vanished, and the other pools go on.
    /// </summary>
    private void Unreadable(ScaleSetListItem item, AuditRequest request, AuditSweeper.SubscriptionSweep sweep, Tally tally, ref int pools)
    {
        if (ScaleSetId.TryParse(item.ResourceId, out var id, out _))
        {
            if (request.ResourceGroup is not null && !id.ResourceGroup.Equals(request.ResourceGroup, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            sweep.MarkListed(id);
        }

        pools++;
        Interlocked.Increment(ref tally.Seen);
        tally.Errors.Add($"{item.ResourceId}: could not be read: {item.Problem}");
        LogPoolUnreadable(logger, item.ResourceId, item.Problem ?? string.Empty);
    }

    /// <summary>The index's rows of one audit, by subscription, and when they were asked for.</summary>
    private sealed class IndexRows(Dictionary<string, List<ScaleSetListItem>> bySubscription, DateTimeOffset readAt)
    {
        public DateTimeOffset ReadAt { get; } = readAt;

        public async IAsyncEnumerable<ScaleSetListItem> Of(string subscription)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            foreach (var item in bySubscription.TryGetValue(subscription, out var list) ? list : [])
            {
                yield return item;
            }
        }
    }

    [LoggerMessage(1304, LogLevel.Warning, "Resource Graph could not list the fleet; every subscription is listed from ARM instead: {Error}", EventName = "AuditIndexFailed")]
    private static partial void LogIndexFailed(ILogger logger, string error);

    private async Task<IReadOnlyList<string>> ScopeAsync(AuditRequest request, CancellationToken cancellationToken)
    {
        var configured = options.CurrentValue.SubscriptionScope;
        if (request.SubscriptionId is { } one)
        {
            return options.CurrentValue.IsInScope(one) ? [one.ToLowerInvariant()] : [];
        }

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

    private sealed class Tally
    {
        public int Seen;
        public int Recorded;
        public int Closed;
        public int Writes;
        public int InstanceChecks;
        public int Changed;
        public readonly ConcurrentBag<string> Errors = [];
        public readonly ConcurrentBag<Finding> PendingRefusedWrites = [];

        public void Add(SweepOutcome outcome, ILogger logger)
        {
            Interlocked.Add(ref Recorded, outcome.PoolsRecorded);
            Interlocked.Add(ref Closed, outcome.PoolsClosed);
            Interlocked.Add(ref Writes, outcome.ArmWrites);
            Interlocked.Add(ref InstanceChecks, outcome.NodeChecks);
            Interlocked.Add(ref Changed, outcome.PoolsChanged);
            foreach (var changes in outcome.Findings)
            {
                Add(changes);
            }

            foreach (var (pool, error) in outcome.Errors)
            {
                Errors.Add($"{pool}: {error}");
                LogPoolFailed(logger, pool.Value, error);
            }

            foreach (var finding in outcome.PendingRefusedWrites)
            {
                PendingRefusedWrites.Add(finding);
            }
        }
        public readonly ConcurrentDictionary<string, byte> OpenedSet = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<string, byte> ResolvedSet = new(StringComparer.Ordinal);

        public ICollection<string> Opened => OpenedSet.Keys;
        public ICollection<string> Resolved => ResolvedSet.Keys;

        public void Add(FindingChanges? changes)
        {
            foreach (var finding in changes?.Opened ?? [])
            {
                OpenedSet.TryAdd(finding.Id, 0);
            }

            foreach (var finding in changes?.Resolved ?? [])
            {
                ResolvedSet.TryAdd(finding.Id, 0);
            }
        }
    }

    [LoggerMessage(1300, LogLevel.Warning, "Audit of subscription {SubscriptionId} failed; the other subscriptions go on: {Error}", EventName = "AuditSubscriptionFailed")]
    private static partial void LogSubscriptionFailed(ILogger logger, string subscriptionId, string error);

    [LoggerMessage(1301, LogLevel.Information, "Audit {RunId} completed: {SubscriptionCount} subscription(s), {PoolsSeen} pool(s) seen, {PoolsRecorded} recorded, {PoolsClosed} closed, {Writes} write(s), {ArmCalls} ARM call(s), {ErrorCount} error(s)", EventName = "AuditCompleted")]
    private static partial void LogAuditCompleted(ILogger logger, string runId, int subscriptionCount, int poolsSeen, int poolsRecorded, int poolsClosed, int writes, int armCalls, int errorCount);

    [LoggerMessage(1302, LogLevel.Warning, "Audit of pool {ResourceId} failed; the other pools go on: {Error}", EventName = "AuditPoolFailed")]
    private static partial void LogPoolFailed(ILogger logger, string resourceId, string error);

    [LoggerMessage(1303, LogLevel.Warning, "Pool {ResourceId} could not be read from the listing; the other pools go on: {Problem}", EventName = "AuditPoolUnreadable")]
    private static partial void LogPoolUnreadable(ILogger logger, string resourceId, string problem);
}
