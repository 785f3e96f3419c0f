using System.ComponentModel.DataAnnotations;

namespace AnFunctions.Core.Retention;

/// <summary>
/// Settings of section <c>Retention</c>: how long each kind of stored row is kept before the <c>PruneStorage</c> timer
/// deletes it, and how much one run may delete. Open findings, undelivered alerts and pool records are never pruned.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>
    /// The shortest <see cref="ProcessedEventsHours"/> allowed: Event Grid retries a delivery for up to 24 hours, so a
    /// processed-event row must outlive every redelivery of its event by a margin (clock skew, a late last attempt).
    /// </summary>
    public const int MinProcessedEventsHours = 48;

    /// <summary>The most rows a query page holds (Table Storage's page size).</summary>
    public const int PageSize = 1000;

    /// <summary>Processed-event rows (duplicate detection) are kept this many hours; at least 48.</summary>
    [Range(MinProcessedEventsHours, 87_600, ErrorMessage =
        "Retention:ProcessedEventsHours must lie between 48 and 87600: Event Grid redelivers an event for up to 24 hours, and a redelivery must still be recognised as a duplicate")]
    public int ProcessedEventsHours { get; set; } = 7 * 24;

    /// <summary>Decision records (the "why" of every pool decision) are kept this many days.</summary>
    [Range(1, 3650, ErrorMessage = "Retention:DecisionsDays must lie between 1 and 3650")]
    public int DecisionsDays { get; set; } = 90;

    /// <summary>Rejected events (malformed or refused for good) are kept this many days.</summary>
    [Range(1, 3650, ErrorMessage = "Retention:RejectedEventsDays must lie between 1 and 3650")]
    public int RejectedEventsDays { get; set; } = 30;

    /// <summary>Resolved findings are kept this many days after they were resolved (open ones are never pruned).</summary>
    [Range(1, 3650, ErrorMessage = "Retention:ResolvedFindingsDays must lie between 1 and 3650")]
    public int ResolvedFindingsDays { get; set; } = 90;

    /// <summary>Audit run records are kept this many days after they started.</summary>
    [Range(1, 3650, ErrorMessage = "Retention:AuditRunsDays must lie between 1 and 3650")]
    public int AuditRunsDays { get; set; } = 30;

    /// <summary>Delivered alert outbox entries are kept this many days after delivery (pending and failed ones are never pruned).</summary>
    [Range(1, 3650, ErrorMessage = "Retention:DeliveredAlertsDays must lie between 1 and 3650")]
    public int DeliveredAlertsDays { get; set; } = 30;

    /// <summary>
    /// The record of a deleted pool is kept this many days after its deletion (what <c>explain</c> says about a pool
    /// that is gone); a pool's own record is never pruned while the pool exists.
    /// </summary>
    [Range(1, 3650, ErrorMessage = "Retention:DeletedPoolsDays must lie between 1 and 3650")]
    public int DeletedPoolsDays { get; set; } = 90;

    /// <summary>
    /// The most query pages (of up to <see cref="PageSize"/> rows) one run reads per kind of row; what is left is pruned
    /// by the next run. Bounds the time and the storage transactions of a run.
    /// </summary>
    [Range(1, 1000, ErrorMessage = "Retention:MaxPagesPerRun must lie between 1 and 1000")]
    public int MaxPagesPerRun { get; set; } = 10;
}
