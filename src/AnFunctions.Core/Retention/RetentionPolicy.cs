namespace AnFunctions.Core.Retention;

/// <summary>The kinds of stored rows that are pruned, each with its own retention.</summary>
public enum RetentionTable
{
    ProcessedEvents,
    Decisions,
    RejectedEvents,
    ResolvedFindings,
    AuditRuns,
    DeliveredAlerts,
    DeletedPools,
}

/// <summary>
/// Rows older than these instants may be deleted: a processed event by <c>ProcessedAt</c>, a decision by <c>At</c>, a
/// rejected event by <c>RejectedAt</c>, a resolved finding by <c>ResolvedAt</c>, an audit run by <c>Started</c>, a
/// delivered outbox entry by <c>DeliveredAt</c>, the record of a deleted pool by <c>DeletedAt</c>. A row exactly at its
/// cutoff is kept.
/// </summary>
public sealed record RetentionCutoffs(
    DateTimeOffset ProcessedEvents,
    DateTimeOffset Decisions,
    DateTimeOffset RejectedEvents,
    DateTimeOffset ResolvedFindings,
    DateTimeOffset AuditRuns,
    DateTimeOffset DeliveredAlerts,
    DateTimeOffset DeletedPools)
{
    public DateTimeOffset For(RetentionTable table) => table switch
    {
        RetentionTable.ProcessedEvents => ProcessedEvents,
        RetentionTable.Decisions => Decisions,
        RetentionTable.RejectedEvents => RejectedEvents,
        RetentionTable.ResolvedFindings => ResolvedFindings,
        RetentionTable.AuditRuns => AuditRuns,
        RetentionTable.DeliveredAlerts => DeliveredAlerts,
        RetentionTable.DeletedPools => DeletedPools,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "unknown retention table"),
    };

    /// <summary>The cutoffs at <paramref name="now"/>: now minus each retention period.</summary>
    public static RetentionCutoffs At(DateTimeOffset now, RetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var utc = now.ToUniversalTime();
        return new(
            utc - TimeSpan.FromHours(Math.Max(options.ProcessedEventsHours, RetentionOptions.MinProcessedEventsHours)),
            utc - TimeSpan.FromDays(options.DecisionsDays),
            utc - TimeSpan.FromDays(options.RejectedEventsDays),
            utc - TimeSpan.FromDays(options.ResolvedFindingsDays),
            utc - TimeSpan.FromDays(options.AuditRunsDays),
            utc - TimeSpan.FromDays(options.DeliveredAlertsDays),
            utc - TimeSpan.FromDays(options.DeletedPoolsDays));
    }
}

/// <summary>How much one prune may do per kind of row: at most <see cref="MaxPages"/> query pages of <see cref="PageSize"/> rows.</summary>
public sealed record PruneLimits(int PageSize, int MaxPages)
{
    public int PageSize { get; } = PageSize is >= 1 and <= RetentionOptions.PageSize
        ? PageSize
        : throw new ArgumentOutOfRangeException(nameof(PageSize), PageSize, $"a prune page holds 1 to {RetentionOptions.PageSize} rows");

    public int MaxPages { get; } = MaxPages >= 1 ? MaxPages : throw new ArgumentOutOfRangeException(nameof(MaxPages), MaxPages, "a prune reads at least one page");

    /// <summary>The most rows one prune deletes per kind of row.</summary>
    public int MaxRows => PageSize * MaxPages;
}

/// <summary>What one prune did to one kind of row: rows deleted, and whether rows past the cutoff may be left (the page limit was reached).</summary>
public sealed record PrunedRows(RetentionTable Table, int Deleted, bool More);

/// <summary>
/// A store whose old rows can be pruned. Each store prunes only the kinds of rows it holds, in pages, and never deletes
/// a row that is not past its cutoff (nor an open finding, a pending or failed outbox entry, or a row changed since it
/// was read).
/// </summary>
public interface IPrunableStore
{
    /// <summary>Deletes rows past their cutoff, at most <see cref="PruneLimits.MaxPages"/> pages per kind of row.</summary>
    Task<IReadOnlyList<PrunedRows>> PruneAsync(RetentionCutoffs cutoffs, PruneLimits limits, CancellationToken cancellationToken);
}
