using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Core.Findings;

/// <summary>
/// Handles writes Azure refused or cancelled on a pool: reads the pool as it is, looks the operation up in the
/// Activity Log by correlation id, and raises (or completes) the pool's <see cref="FindingKind.SizeChangeRefused"/>.
/// </summary>
public sealed partial class RefusedWriteHandler(
    IScaleSetClient scaleSets,
    IVmSizeCatalogProvider catalogs,
    IActivityLog activityLog,
    IFindingStore findings,
    FindingEngine engine,
    TimeProvider time,
    ILogger<RefusedWriteHandler> logger)
{
    /// <summary>
    /// How long a refused write is looked up in the Activity Log, which lags: Azure documents its entries within
    /// minutes (up to about 15); six hours is far beyond that. A refused write it never shows by then is closed with
    /// that reason: nothing says it tried another size.
    /// </summary>
    public static readonly TimeSpan LookupHorizon = TimeSpan.FromHours(6);

    private static readonly HashSet<FindingKind> RefusedOnly = [FindingKind.SizeChangeRefused];

    public async Task<string> HandleAsync(ScaleSetId id, string eventId, string verb, string? correlationId, DateTimeOffset? eventTime, CancellationToken cancellationToken)
    {
        var current = await scaleSets.GetAsync(id, cancellationToken).ConfigureAwait(false);
        var operation = correlationId is null
            ? null
            : await activityLog.FindFailedWriteAsync(id.SubscriptionId, correlationId, eventTime ?? time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var catalog = current is null ? null : await catalogs.GetAsync(id.SubscriptionId, current.Location, cancellationToken).ConfigureAwait(false);
        var draft = RefusedWriteAssessment.Assess(new RefusedWrite(id, current, operation, correlationId, eventId, verb), catalog);
        if (draft is null)
        {
            LogNotASizeChange(logger, eventId, id.Value, operation?.ErrorCode);
            return $"{verb} write recorded: not a size change ({operation?.ErrorCode ?? "no error code"})";
        }

        await engine.ApplyAsync(id, new FindingEvaluation([draft], RefusedOnly), cancellationToken).ConfigureAwait(false);
        return draft.Evidence.ActivityLogPending
            ? $"{verb} write: finding raised; the Activity Log has nothing yet for correlation id {correlationId}"
            : $"{verb} size change to {FindingTexts.Sizes(draft.Evidence.AttemptedSizes)}: {draft.Severity} finding ({draft.Evidence.ErrorCode})";
    }

    /// <summary>
    /// Looks up the Activity Log again for refused writes raised before it had them; completes or resolves them, and
    /// closes those it has not shown within <see cref="LookupHorizon"/>, with that reason.
    /// </summary>
    public async Task<int> CompletePendingAsync(CancellationToken cancellationToken)
    {
        var open = new List<Finding>();
        await foreach (var finding in findings.ListAsync(new FindingQuery(FindingStatus.Open, Kind: FindingKind.SizeChangeRefused), cancellationToken).ConfigureAwait(false))
        {
            open.Add(finding);
        }

        return await CompletePendingAsync(open, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="CompletePendingAsync(CancellationToken)"/> for findings already read (the audit reads every open
    /// finding of a subscription anyway): those still waiting for their Activity Log entry are looked up again, those
    /// past <see cref="LookupHorizon"/> closed.
    /// </summary>
    public async Task<int> CompletePendingAsync(IReadOnlyList<Finding> open, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(open);
        var completed = 0;
        var pending = new List<Finding>();
        var expired = new List<Finding>();
        foreach (var finding in open)
        {
            if (finding.Kind != FindingKind.SizeChangeRefused || !finding.IsOpen || !finding.Evidence.ActivityLogPending)
            {
                continue;
            }

            if (time.GetUtcNow() - finding.FirstSeen > LookupHorizon)
            {
                expired.Add(finding);
            }
            else if (finding.Evidence.CorrelationId is not null)
            {
                pending.Add(finding);
            }
        }

        foreach (var finding in expired)
        {
            var reason = finding.Evidence.CorrelationId is { } correlationId
                ? $"closed: the Activity Log never showed correlation id {correlationId} within {LookupHorizon.TotalHours:0} h of the refusal (its entries come within minutes), so nothing says this write tried another size"
                : "closed: the refusal carried no correlation id to look up in the Activity Log, so nothing says this write tried another size";
            await engine.CloseAsync(finding.PoolId, finding.Kind, reason, cancellationToken).ConfigureAwait(false);
            LogClosedUnexplained(logger, finding.Id, finding.PoolId.Value, finding.Evidence.CorrelationId);
            completed++;
        }

        foreach (var finding in pending)
        {
            var operation = await activityLog.FindFailedWriteAsync(finding.PoolId.SubscriptionId, finding.Evidence.CorrelationId!, finding.FirstSeen, cancellationToken).ConfigureAwait(false);
            if (operation is null)
            {
                continue;
            }

            var current = await scaleSets.GetAsync(finding.PoolId, cancellationToken).ConfigureAwait(false);
            var catalog = current is null ? null : await catalogs.GetAsync(finding.PoolId.SubscriptionId, current.Location, cancellationToken).ConfigureAwait(false);
            var draft = RefusedWriteAssessment.Assess(
                new RefusedWrite(finding.PoolId, current, operation, finding.Evidence.CorrelationId, finding.Evidence.EventIds.LastOrDefault() ?? string.Empty, "refused"),
                catalog);
            await engine.ApplyAsync(finding.PoolId, new FindingEvaluation(draft is null ? [] : [draft], RefusedOnly), cancellationToken).ConfigureAwait(false);
            completed++;
        }

        return completed;
    }

    [LoggerMessage(1411, LogLevel.Information, "Refused write {FindingId} on {ResourceId}: the Activity Log never showed correlation id {CorrelationId}; closed", EventName = "RefusedWriteClosedUnexplained")]
    private static partial void LogClosedUnexplained(ILogger logger, string findingId, string resourceId, string? correlationId);

    [LoggerMessage(1410, LogLevel.Information, "Refused write {EventId} on {ResourceId} was not a size change ({ErrorCode}): recorded, no finding", EventName = "RefusedWriteNotSizeChange")]
    private static partial void LogNotASizeChange(ILogger logger, string eventId, string resourceId, string? errorCode);
}
