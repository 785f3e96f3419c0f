using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Retention;

/// <summary>What one prune run deleted, per kind of row.</summary>
public sealed record PruneReport(DateTimeOffset At, IReadOnlyList<PrunedRows> Tables)
{
    public int Deleted => Tables.Sum(t => t.Deleted);

    /// <summary>True when some kind of row reached the page limit: the next run continues.</summary>
    public bool More => Tables.Any(t => t.More);
}

/// <summary>
/// Deletes what the retention settings no longer keep, from every store that can be pruned (state, findings and
/// outbox, audit runs), in bounded pages: run by the <c>PruneStorage</c> timer. Logs the rows deleted per kind of row.
/// </summary>
public sealed partial class StoragePruner(
    IStateStore state,
    IFindingStore findings,
    IAuditRunStore auditRuns,
    IOptionsMonitor<RetentionOptions> options,
    TimeProvider time,
    ILogger<StoragePruner> logger)
{
    public async Task<PruneReport> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        var cutoffs = RetentionCutoffs.At(now, settings);
        var limits = new PruneLimits(RetentionOptions.PageSize, settings.MaxPagesPerRun);
        var tables = new List<PrunedRows>();
        foreach (var store in new object[] { state, findings, auditRuns })
        {
            var prunable = store as IPrunableStore; // not a pattern variable: see FleetAudit.AuditSubscriptionAsync
            if (prunable is null)
            {
                LogStoreNotPrunable(logger, store.GetType().Name);
                continue;
            }

            foreach (var pruned in await prunable.PruneAsync(cutoffs, limits, cancellationToken).ConfigureAwait(false))
            {
                LogRowsPruned(logger, pruned.Table, pruned.Deleted, cutoffs.For(pruned.Table), pruned.More);
                tables.Add(pruned);
            }
        }

        var report = new PruneReport(now, tables);
        LogPruneCompleted(logger, report.Deleted, report.More);
        return report;
    }

    [LoggerMessage(1800, LogLevel.Information, "Pruned {Rows} row(s) of {Table} older than {Cutoff} (more left for the next run: {More})", EventName = "RowsPruned")]
    private static partial void LogRowsPruned(ILogger logger, RetentionTable table, int rows, DateTimeOffset cutoff, bool more);

    [LoggerMessage(1801, LogLevel.Information, "Storage pruned: {Rows} row(s) deleted (more left for the next run: {More})", EventName = "PruneCompleted")]
    private static partial void LogPruneCompleted(ILogger logger, int rows, bool more);

    [LoggerMessage(1802, LogLevel.Warning, "Store {Store} cannot be pruned: its rows are kept", EventName = "StoreNotPrunable")]
    private static partial void LogStoreNotPrunable(ILogger logger, string store);
}
