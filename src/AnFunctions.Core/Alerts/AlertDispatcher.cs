using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Alerts;

public sealed record DispatchResult(int Delivered, int Retrying, int Failed, int Skipped);

/// <summary>
/// Delivers the outbox. Each sink is served on its own (a slow or failing sink never holds up another), in the order
/// the notifications were made (a resolve never overtakes its trigger). A delivery is claimed with a conditional
/// update first, so two instances never both send it; a transient failure is retried with exponential backoff (or the
/// sink's Retry-After) for as long as it takes; a terminal refusal is kept as failed and logged. Nothing is dropped.
/// </summary>
public sealed partial class AlertDispatcher(
    IFindingStore store,
    IEnumerable<IAlertSink> sinks,
    IOptionsMonitor<AlertsOptions> options,
    TimeProvider time,
    ILogger<AlertDispatcher> logger)
{
    public const int BatchSize = 200;
    private readonly Dictionary<string, IAlertSink> _sinks = sinks.ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

    public async Task<DispatchResult> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var due = await store.ListDueAsync(time.GetUtcNow(), BatchSize, cancellationToken).ConfigureAwait(false);
        var results = await Task.WhenAll(due
            .GroupBy(e => e.Sink, StringComparer.OrdinalIgnoreCase)
            .Select(group => DeliverInOrderAsync(group.OrderBy(e => e.Id, StringComparer.Ordinal).ToList(), cancellationToken))).ConfigureAwait(false);
        return new DispatchResult(
            results.Sum(r => r.Delivered), results.Sum(r => r.Retrying), results.Sum(r => r.Failed), results.Sum(r => r.Skipped));
    }

    private async Task<DispatchResult> DeliverInOrderAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken cancellationToken)
    {
        int delivered = 0, retrying = 0, failed = 0, skipped = 0;
        var heldBack = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var findingId = entry.Notification.Finding.Id;
            if (heldBack.Contains(findingId) || await HasEarlierPendingAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                heldBack.Add(findingId);
                skipped++;
                continue;
            }

            switch (await DeliverAsync(entry, cancellationToken).ConfigureAwait(false))
            {
                case OutboxStatus.Delivered:
                    delivered++;
                    break;
                case OutboxStatus.Failed:
                    failed++;
                    break;
                case OutboxStatus.Pending:
                    retrying++;
                    heldBack.Add(findingId);
                    break;
                default:
                    skipped++;
                    break;
            }
        }

        return new DispatchResult(delivered, retrying, failed, skipped);
    }

    /// <summary>An older notification of the same finding to the same sink still waits: this one must not overtake it.</summary>
    private async Task<bool> HasEarlierPendingAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var all = await store.ListOutboxAsync(entry.Notification.Finding.Id, cancellationToken).ConfigureAwait(false);
        return all.Any(o => o.Status == OutboxStatus.Pending
            && string.Equals(o.Sink, entry.Sink, StringComparison.OrdinalIgnoreCase)
            && string.CompareOrdinal(o.Id, entry.Id) < 0);
    }

    private async Task<OutboxStatus?> DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = time.GetUtcNow();
        if (!_sinks.TryGetValue(entry.Sink, out var sink))
        {
            LogSinkMissing(logger, entry.Id, entry.Sink);
            await TryUpdateAsync(entry with { Status = OutboxStatus.Failed, LastError = $"sink {entry.Sink} is no longer configured" }, cancellationToken).ConfigureAwait(false);
            return OutboxStatus.Failed;
        }

        // Claim: push the next attempt past this delivery's timeout, conditionally. Losing the race means another
        // instance is delivering it.
        var claimed = await TryUpdateAsync(entry with
        {
            Attempts = entry.Attempts + 1,
            NextAttemptAt = now + (settings.DeliveryTimeout * 3),
        }, cancellationToken).ConfigureAwait(false);
        if (claimed is null)
        {
            return null;
        }

        try
        {
            using var timeout = new CancellationTokenSource(settings.DeliveryTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await sink.SendAsync(claimed.Notification, linked.Token).ConfigureAwait(false);
            await TryUpdateAsync(claimed with { Status = OutboxStatus.Delivered, DeliveredAt = time.GetUtcNow(), LastError = null }, cancellationToken).ConfigureAwait(false);
            LogDelivered(logger, claimed.Notification.Action, claimed.Notification.Finding.Id, sink.Name, claimed.Attempts);
            return OutboxStatus.Delivered;
        }
        catch (Exception e) when (e is AlertDeliveryException { IsTransient: false })
        {
            LogRefused(logger, claimed.Notification.Action, claimed.Notification.Finding.Id, sink.Name, e.Message);
            await TryUpdateAsync(claimed with { Status = OutboxStatus.Failed, LastError = e.Message }, cancellationToken).ConfigureAwait(false);
            return OutboxStatus.Failed;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var retryAfter = (e as AlertDeliveryException)?.RetryAfter;
            var delay = Backoff(claimed.Attempts, settings, retryAfter);
            var reason = e is AlertDeliveryException ? e.Message : $"{sink.Name}: {e.GetType().Name}";
            LogRetrying(logger, claimed.Notification.Action, claimed.Notification.Finding.Id, sink.Name, claimed.Attempts, delay, reason);
            await TryUpdateAsync(claimed with { NextAttemptAt = time.GetUtcNow() + delay, LastError = reason }, cancellationToken).ConfigureAwait(false);
            return OutboxStatus.Pending;
        }
    }

    /// <summary>Exponential backoff from <see cref="AlertsOptions.RetryDelay"/>, capped; a sink's Retry-After wins when longer.</summary>
    public static TimeSpan Backoff(int attempts, AlertsOptions settings, TimeSpan? retryAfter = null)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 20);
        var delay = TimeSpan.FromTicks(Math.Min(settings.MaxRetryDelay.Ticks, settings.RetryDelay.Ticks * (1L << exponent)));
        return retryAfter is { } after && after > delay ? after : delay;
    }

    private async Task<OutboxEntry?> TryUpdateAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            return await store.UpdateOutboxAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            return null;
        }
    }

    [LoggerMessage(1450, LogLevel.Information, "Alert {Action} for finding {FindingId} delivered to {Sink} (attempt {Attempt})", EventName = "AlertDelivered")]
    private static partial void LogDelivered(ILogger logger, AlertAction action, string findingId, string sink, int attempt);

    [LoggerMessage(1451, LogLevel.Warning, "Alert {Action} for finding {FindingId} to {Sink} failed (attempt {Attempt}); retrying in {Delay}: {Reason}", EventName = "AlertRetrying")]
    private static partial void LogRetrying(ILogger logger, AlertAction action, string findingId, string sink, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(1452, LogLevel.Error, "Alert {Action} for finding {FindingId} refused by {Sink} for good; kept as failed: {Reason}", EventName = "AlertRefused")]
    private static partial void LogRefused(ILogger logger, AlertAction action, string findingId, string sink, string reason);

    [LoggerMessage(1453, LogLevel.Error, "Outbox entry {EntryId} names sink {Sink}, which is not configured any more; kept as failed", EventName = "AlertSinkMissing")]
    private static partial void LogSinkMissing(ILogger logger, string entryId, string sink);
}
