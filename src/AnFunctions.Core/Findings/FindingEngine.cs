using AnFunctions.Core.Alerts;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Findings;

/// <summary>The saves that apply a pool's findings (each a finding and its alerts, one atomic save), and what they change.</summary>
public sealed record FindingPlan(IReadOnlyList<FindingSave> Saves, FindingChanges Changes);

/// <summary>What changed when a pool's findings were applied.</summary>
public sealed record FindingChanges(IReadOnlyList<Finding> Opened, IReadOnlyList<Finding> Updated, IReadOnlyList<Finding> Resolved, int Notifications)
{
    public static FindingChanges None { get; } = new([], [], [], 0);
}

/// <summary>
/// Merges what the rules say with what the store holds: opens new findings, updates those still true, resolves those
/// that no longer hold, and queues the alerts in the same atomic save (the outbox). A finding alerts when it opens or
/// gets worse, again after <see cref="AlertsOptions.RenotifyInterval"/> while open, and once when it resolves.
/// </summary>
public sealed partial class FindingEngine(
    IFindingStore store,
    IEnumerable<IAlertSink> sinks,
    IOptionsMonitor<AlertsOptions> options,
    TimeProvider time,
    ILogger<FindingEngine> logger)
{
    private const int MaxAttempts = 4;
    private readonly IReadOnlyList<IAlertSink> _sinks = sinks.ToList();

    public async Task<IReadOnlyList<Finding>> OpenFindingsAsync(ScaleSetId poolId, CancellationToken cancellationToken) =>
        (await store.ListForPoolAsync(poolId, cancellationToken).ConfigureAwait(false)).Where(f => f.IsOpen).ToList();

    /// <summary>Every finding of a pool as stored, open and resolved: what <see cref="ApplyAsync(ScaleSetId, FindingEvaluation, IReadOnlyList{Finding}?, CancellationToken)"/> merges with.</summary>
    public Task<IReadOnlyList<Finding>> ForPoolAsync(ScaleSetId poolId, CancellationToken cancellationToken) =>
        store.ListForPoolAsync(poolId, cancellationToken);

    public Task<FindingChanges> ApplyAsync(ScaleSetId poolId, FindingEvaluation evaluation, CancellationToken cancellationToken) =>
        ApplyAsync(poolId, evaluation, stored: null, cancellationToken);

    /// <summary>
    /// Applies what the rules say to the pool's findings, merged with <paramref name="stored"/> (every finding of the
    /// pool as the caller just read it with <see cref="ForPoolAsync"/>, which spares a read) or with what the store
    /// holds. The saves are conditional: a finding changed since it was read is read again and merged again.
    /// </summary>
    public async Task<FindingChanges> ApplyAsync(ScaleSetId poolId, FindingEvaluation evaluation, IReadOnlyList<Finding>? stored, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyOnceAsync(poolId, evaluation, attempt == 1 ? stored : null, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another instance changed one of this pool's findings meanwhile: merge again from what it saved.
            }
        }
    }

    /// <summary>
    /// Resolves one open finding of a pool for a reason other than its condition being gone (it can no longer be
    /// established), and says why in its evidence (<see cref="FindingEvidence.Resolution"/>). Nothing happens when the
    /// finding is not open.
    /// </summary>
    public async Task<Finding?> CloseAsync(ScaleSetId poolId, FindingKind kind, string reason, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var finding = (await store.ListForPoolAsync(poolId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(f => f.Kind == kind && f.IsOpen);
            if (finding is null)
            {
                return null;
            }

            var now = time.GetUtcNow();
            var next = finding with
            {
                Status = FindingStatus.Resolved,
                ResolvedAt = now,
                LastSeen = now,
                Evidence = finding.Evidence with { ActivityLogPending = false, Resolution = reason },
            };
            var outbox = finding.LastNotifiedAt is not null ? Outbox(next, AlertAction.Resolve, now) : [];
            try
            {
                var saved = await store.SaveAsync(next, outbox, cancellationToken).ConfigureAwait(false);
                LogFindingResolved(logger, next.Id, next.Kind, Lower(next.Severity), poolId.Value);
                return saved;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Changed meanwhile: look again.
            }
        }
    }

    /// <summary>Resolves every open finding of a pool (the pool was deleted).</summary>
    public Task<FindingChanges> ResolveAllAsync(ScaleSetId poolId, CancellationToken cancellationToken) =>
        ApplyAsync(poolId, new FindingEvaluation([], Enum.GetValues<FindingKind>().ToHashSet()), cancellationToken);

    private async Task<FindingChanges> ApplyOnceAsync(ScaleSetId poolId, FindingEvaluation evaluation, IReadOnlyList<Finding>? known, CancellationToken cancellationToken)
    {
        var stored = known ?? await store.ListForPoolAsync(poolId, cancellationToken).ConfigureAwait(false);
        var plan = Plan(poolId, evaluation, stored, skipUnchanged: false);
        foreach (var save in plan.Saves)
        {
            await store.SaveAsync(save.Finding, save.Outbox, cancellationToken).ConfigureAwait(false);
        }

        Announce(poolId, plan.Changes);
        return plan.Changes;
    }

    /// <summary>
    /// The merge of <see cref="ApplyAsync"/> without its reads and writes: what the rules say, against the pool's
    /// findings as stored (<paramref name="stored"/>: all of the pool's, or only its open ones: a kind missing there is
    /// opened with an insert, which a resolved row of that kind refuses as a conflict). With
    /// <paramref name="skipUnchanged"/> (the audit) a finding that still holds as it was, with no alert due, is not
    /// saved: the run that saw it says when it was last confirmed. Log the plan with <see cref="Announce"/> once its
    /// saves are made.
    /// </summary>
    public FindingPlan Plan(ScaleSetId poolId, FindingEvaluation evaluation, IReadOnlyList<Finding> stored, bool skipUnchanged)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(stored);
        var now = time.GetUtcNow();
        var settings = options.CurrentValue;
        var byKind = stored.ToDictionary(f => f.Kind);
        var saves = new List<FindingSave>();
        var opened = new List<Finding>();
        var updated = new List<Finding>();
        var resolved = new List<Finding>();
        var notifications = 0;

        foreach (var draft in evaluation.Open)
        {
            byKind.TryGetValue(draft.Kind, out var existing);
            Finding next;
            AlertAction? alert = null;
            if (existing is not { IsOpen: true })
            {
                next = new Finding
                {
                    Id = Finding.IdFor(poolId, draft.Kind),
                    PoolId = poolId,
                    Kind = draft.Kind,
                    Severity = draft.Severity,
                    Status = FindingStatus.Open,
                    FirstSeen = now,
                    LastSeen = now,
                    Message = draft.Message,
                    Consequence = draft.Consequence,
                    Remedy = draft.Remedy,
                    Evidence = draft.Evidence,
                    Version = existing?.Version,
                };
                alert = AlertAction.Trigger;
                opened.Add(next);
            }
            else
            {
                var worse = draft.Severity > existing.Severity;
                next = existing with
                {
                    Severity = draft.Severity,
                    LastSeen = now,
                    Message = draft.Message,
                    Consequence = draft.Consequence,
                    Remedy = draft.Remedy,
                    Evidence = Merge(existing.Evidence, draft.Evidence),
                };
                var due = existing.LastNotifiedAt is { } notified && now - notified >= settings.RenotifyInterval;
                if (worse || due)
                {
                    alert = AlertAction.Trigger;
                }
                else if (skipUnchanged && SameContent(existing, next))
                {
                    updated.Add(existing);
                    continue;
                }

                updated.Add(next);
            }

            var outbox = alert is { } action ? Outbox(next, action, now) : [];
            if (outbox.Count > 0)
            {
                next = next with { LastNotifiedAt = now };
            }

            notifications += outbox.Count;
            saves.Add(new FindingSave(next, outbox));
        }

        var keep = evaluation.Open.Select(d => d.Kind).ToHashSet();
        foreach (var finding in byKind.Values.Where(f => f.IsOpen && evaluation.Evaluated.Contains(f.Kind) && !keep.Contains(f.Kind)))
        {
            var next = finding with { Status = FindingStatus.Resolved, ResolvedAt = now, LastSeen = now };
            var outbox = finding.LastNotifiedAt is not null ? Outbox(next, AlertAction.Resolve, now) : [];
            notifications += outbox.Count;
            saves.Add(new FindingSave(next, outbox));
            resolved.Add(next);
        }

        return new FindingPlan(saves, new FindingChanges(opened, updated, resolved, notifications));
    }

    /// <summary>Logs what was opened and resolved (<c>FindingOpened</c>, <c>FindingResolved</c>): call it once the saves are made.</summary>
    public void Announce(ScaleSetId poolId, FindingChanges changes)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        ArgumentNullException.ThrowIfNull(changes);
        foreach (var finding in changes.Opened)
        {
            LogFindingOpened(logger, finding.Id, finding.Kind, Lower(finding.Severity), poolId.Value, finding.Message);
        }

        foreach (var finding in changes.Resolved)
        {
            LogFindingResolved(logger, finding.Id, finding.Kind, Lower(finding.Severity), poolId.Value);
        }
    }

    /// <summary>Everything on-call reads of a finding is the same: only <see cref="Finding.LastSeen"/> (and the version) may differ.</summary>
    private static bool SameContent(Finding a, Finding b) =>
        a.Severity == b.Severity && a.Status == b.Status && a.Message == b.Message && a.Consequence == b.Consequence && a.Remedy == b.Remedy
        && a.ResolvedAt == b.ResolvedAt && a.LastNotifiedAt == b.LastNotifiedAt && a.FirstSeen == b.FirstSeen
        && FindingJson.Serialize(a.Evidence) == FindingJson.Serialize(b.Evidence);

    /// <summary>One outbox entry per sink that wants it; none when no sink does (the finding is still recorded and logged).</summary>
    private List<OutboxEntry> Outbox(Finding finding, AlertAction action, DateTimeOffset now)
    {
        var notification = new AlertNotification
        {
            NotificationId = Guid.NewGuid().ToString("N"),
            Action = action,
            CreatedAt = now,
            Finding = finding,
            PortalUrl = PortalLinks.For(finding.PoolId),
        };
        return _sinks
            .Where(s => s.Accepts(notification))
            .Select(s => new OutboxEntry
            {
                Id = OutboxEntry.NewId(now, s.Name),
                Sink = s.Name,
                Notification = notification,
                Status = OutboxStatus.Pending,
                NextAttemptAt = now,
            })
            .ToList();
    }

    private static FindingEvidence Merge(FindingEvidence previous, FindingEvidence current) => current with
    {
        EventIds = previous.EventIds.Concat(current.EventIds).Distinct(StringComparer.Ordinal).TakeLast(20).ToList(),
        CorrelationId = current.CorrelationId ?? previous.CorrelationId,
        ErrorCode = current.ErrorCode ?? previous.ErrorCode,
        ErrorMessage = current.ErrorMessage ?? previous.ErrorMessage,
        AttemptedSizes = current.AttemptedSizes.Count > 0 ? current.AttemptedSizes : previous.AttemptedSizes,
    };

    private static string Lower(FindingSeverity severity) => severity.ToString().ToLowerInvariant();

    // The Azure Monitor alert rule of infra/ queries these by EventName and Severity: keep both stable.
    [LoggerMessage(1400, LogLevel.Warning, "Finding {FindingId} opened: {Kind}, {Severity}, on {ResourceId}: {Message}", EventName = "FindingOpened")]
    private static partial void LogFindingOpened(ILogger logger, string findingId, FindingKind kind, string severity, string resourceId, string message);

    [LoggerMessage(1401, LogLevel.Information, "Finding {FindingId} resolved: {Kind}, {Severity}, on {ResourceId}", EventName = "FindingResolved")]
    private static partial void LogFindingResolved(ILogger logger, string findingId, FindingKind kind, string severity, string resourceId);
}
