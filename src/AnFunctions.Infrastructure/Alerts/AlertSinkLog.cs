using Microsoft.Extensions.Logging;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// The log lines of the alert sinks (event ids 1500-1599, stable). They name the sink, the notification and the finding,
/// never a sink's URL or routing key: those are secrets, and log lines end up in places secrets must not.
/// </summary>
internal static partial class AlertSinkLog
{
    [LoggerMessage(1500, LogLevel.Information, "Alert {NotificationId} ({Action}) for finding {FindingId} delivered to {Sink}: HTTP {Status} in {ElapsedMs} ms", EventName = "AlertDelivered")]
    public static partial void Delivered(ILogger logger, string sink, string notificationId, string action, string findingId, int status, long elapsedMs);

    [LoggerMessage(1501, LogLevel.Warning, "Alert {NotificationId} for finding {FindingId} refused by {Sink} with HTTP {Status} (transient: {IsTransient}, retry after: {RetryAfter}): {Reason}", EventName = "AlertRefused")]
    public static partial void Refused(ILogger logger, string sink, string notificationId, string findingId, int status, bool isTransient, TimeSpan? retryAfter, string reason);

    [LoggerMessage(1502, LogLevel.Warning, "Alert {NotificationId} for finding {FindingId}: {Sink} did not answer within {Timeout}", EventName = "AlertDeliveryTimedOut")]
    public static partial void TimedOut(ILogger logger, string sink, string notificationId, string findingId, TimeSpan timeout);

    [LoggerMessage(1503, LogLevel.Warning, "Alert {NotificationId} for finding {FindingId}: {Sink} could not be reached ({Error})", EventName = "AlertSinkUnreachable")]
    public static partial void Unreachable(ILogger logger, string sink, string notificationId, string findingId, string error);

    [LoggerMessage(1504, LogLevel.Error, "Alert {NotificationId} for finding {FindingId} cannot go to {Sink}: the sink is not configured", EventName = "AlertSinkNotConfigured")]
    public static partial void NotConfigured(ILogger logger, string sink, string notificationId, string findingId);

    [LoggerMessage(1505, LogLevel.Information, "Alert sinks enabled: {Sinks}", EventName = "AlertSinksEnabled")]
    public static partial void SinksEnabled(ILogger logger, string sinks);

    [LoggerMessage(1506, LogLevel.Warning, "No alert sink is configured (Alerts:Webhook:Url, Alerts:Teams:Url, Alerts:Slack:Url, Alerts:PagerDuty:RoutingKey): findings reach nobody but the logs", EventName = "NoAlertSinkEnabled")]
    public static partial void NoSinkEnabled(ILogger logger);
}
