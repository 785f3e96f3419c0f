using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Alerts;

public enum AlertAction
{
    /// <summary>A finding opened (or is still open after the re-notify interval, or got worse).</summary>
    Trigger,

    /// <summary>A finding that was notified has resolved.</summary>
    Resolve,
}

/// <summary>
/// One message to on-call about one finding, as stored in the outbox and rendered by every sink. Self-contained: the
/// sinks need nothing else to build their vendor payloads.
/// </summary>
public sealed record AlertNotification
{
    /// <summary>Unique per notification (outbox row); sinks use it for their own idempotency where they can.</summary>
    public required string NotificationId { get; init; }

    public required AlertAction Action { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The finding as it was when the notification was made.</summary>
    public required Finding Finding { get; init; }

    /// <summary>Deep link to the scale set in the Azure portal.</summary>
    public required Uri PortalUrl { get; init; }

    /// <summary>The dedup key sinks with incident semantics use (PagerDuty's <c>dedup_key</c>): the finding id.</summary>
    public string DedupKey => Finding.Id;

    public string Summary => $"[{Finding.Severity.ToString().ToUpperInvariant()}] {Finding.PoolId.Name}: {Finding.Message}";
}

/// <summary>Port: one on-call destination (webhook, Teams, Slack, PagerDuty). Throws on a failed delivery.</summary>
public interface IAlertSink
{
    /// <summary>A stable name (<c>webhook</c>, <c>teams</c>, <c>slack</c>, <c>pagerduty</c>) used to track delivery per sink.</summary>
    string Name { get; }

    /// <summary>Whether this sink wants the notification (severity filter). Resolves go to every sink that got the trigger.</summary>
    bool Accepts(AlertNotification notification);

    /// <summary>Delivers the notification; throws <see cref="AlertDeliveryException"/> when the destination refused or failed.</summary>
    Task SendAsync(AlertNotification notification, CancellationToken cancellationToken);
}

/// <summary>A sink could not deliver. <see cref="IsTransient"/>: a later attempt can succeed.</summary>
public sealed class AlertDeliveryException : Exception
{
    public AlertDeliveryException(string sink, int? status, string message, bool isTransient, TimeSpan? retryAfter = null, Exception? inner = null)
        : base($"{sink}: {message}", inner)
    {
        Sink = sink;
        Status = status;
        IsTransient = isTransient;
        RetryAfter = retryAfter;
    }

    public AlertDeliveryException() : this("sink", null, "delivery failed", true) { }

    public AlertDeliveryException(string message) : this("sink", null, message, true) { }

    public AlertDeliveryException(string message, Exception inner) : this("sink", null, message, true, null, inner) { }

    public string Sink { get; }
    public int? Status { get; }
    public bool IsTransient { get; }
    public TimeSpan? RetryAfter { get; }
}
