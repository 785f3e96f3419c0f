namespace AnFunctions.Infrastructure.Alerts;

/// <summary>The stable names of the sinks (<see cref="Core.Alerts.IAlertSink.Name"/>), stored with each outbox entry.</summary>
public static class AlertSinkNames
{
    public const string Webhook = "webhook";
    public const string Teams = "teams";
    public const string Slack = "slack";
    public const string PagerDuty = "pagerduty";

    /// <summary>Every sink, in the order <see cref="AlertSinkSet"/> lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Webhook, Teams, Slack, PagerDuty];
}
