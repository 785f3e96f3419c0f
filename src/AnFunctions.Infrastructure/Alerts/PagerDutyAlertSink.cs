using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// PagerDuty Events API v2 (<c>Alerts:PagerDuty:RoutingKey</c>, POST to <c>Alerts:PagerDuty:EventsUrl</c>). A trigger
/// is <c>{ routing_key, event_action: "trigger", dedup_key, payload: { summary, source, severity, timestamp, component,
/// group, class, custom_details }, links: [ { href, text } ], client }</c>; a resolve is only <c>{ routing_key,
/// event_action: "resolve", dedup_key }</c>. The dedup key is the finding id, so re-notifications update the open alert
/// and the resolve closes it. Formats followed (PagerDuty developer docs, github.com/PagerDuty/developer-docs):
/// <list type="bullet">
/// <item>"Send an Alert Event" (developer.pagerduty.com/docs/events-api-v2/trigger-events): field list; summary at most
/// 1024 characters; dedup_key at most 255; severity one of critical, error, warning, info; resolve example.</item>
/// <item>"Events API v2 Overview", Response Codes &amp; Retry Logic: 202 accepted (<c>{ "status": "success",
/// "dedup_key": … }</c>); 400 invalid event, do not retry; 429 and 5xx, retry later; payloads at most 512 KB.</item>
/// <item>"Events API Rate Limits": about 120 events a minute per integration key, 429 when passed.</item>
/// </list>
/// </summary>
public sealed class PagerDutyAlertSink(IOptions<AlertsOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<PagerDutyAlertSink> logger)
    : HttpAlertSink(AlertSinkNames.PagerDuty, options?.Value!, httpClientFactory, time, logger)
{
    public const int MaxSummary = 1024;
    public const int MaxDedupKey = 255;
    public const string Client = "AnFunctions";

    private const int MaxDetail = 4000;

    /// <summary>Not a documented limit: a cluster name comes from a tag (at most 256 characters); a group is a short label.</summary>
    private const int MaxGroup = 255;

    /// <summary>The documented endpoint, used when a routing key is set but <c>Alerts:PagerDuty:EventsUrl</c> was blanked.</summary>
    public static readonly Uri DefaultEventsUrl = new("https://events.pagerduty.com/v2/enqueue");

    protected override Uri? Endpoint => Options.PagerDuty.Enabled ? Options.PagerDuty.EventsUrl ?? DefaultEventsUrl : null;

    protected override FindingSeverity? MinimumSeverity => Options.PagerDuty.MinimumSeverity;

    protected override IEnumerable<string> Secrets => [Options.PagerDuty.RoutingKey ?? string.Empty];

    /// <summary>Our severities on PagerDuty's: critical, warning and info map by name (PagerDuty's "error" is unused).</summary>
    public static string Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => "critical",
        FindingSeverity.Warning => "warning",
        FindingSeverity.Info => "info",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "not a finding severity"),
    };

    internal override JsonNode BuildPayload(AlertNotification notification)
    {
        if (notification.DedupKey.Length > MaxDedupKey)
        {
            throw new AlertDeliveryException(Name, null, $"the dedup key is longer than {MaxDedupKey} characters", isTransient: false);
        }

        var routingKey = Options.PagerDuty.RoutingKey!.Trim();
        if (notification.Action == AlertAction.Resolve)
        {
            return new JsonObject
            {
                ["routing_key"] = routingKey,
                ["event_action"] = "resolve",
                ["dedup_key"] = notification.DedupKey,
            };
        }

        var finding = notification.Finding;
        var evidence = finding.Evidence;
        var payload = new JsonObject
        {
            ["summary"] = AlertText.Truncate(AlertText.OneLine(notification.Summary), MaxSummary),
            ["source"] = finding.PoolId.Value,
            ["severity"] = Severity(finding.Severity),
            ["timestamp"] = AlertText.Iso(finding.LastSeen),
            ["component"] = finding.PoolId.Name,
        };
        if (evidence.Cluster is { Length: > 0 } cluster)
        {
            payload["group"] = AlertText.Truncate(AlertText.OneLine(cluster), MaxGroup);
        }

        payload["class"] = finding.Kind.ToString();
        payload["custom_details"] = Details(notification);

        return new JsonObject
        {
            ["routing_key"] = routingKey,
            ["event_action"] = "trigger",
            ["dedup_key"] = notification.DedupKey,
            ["payload"] = payload,
            ["links"] = new JsonArray(new JsonObject
            {
                ["href"] = notification.PortalUrl.AbsoluteUri,
                ["text"] = "Azure portal",
            }),
            ["client"] = Client,
        };
    }

    private static JsonObject Details(AlertNotification notification)
    {
        var finding = notification.Finding;
        var evidence = finding.Evidence;
        var details = new JsonObject
        {
            ["finding_id"] = finding.Id,
            ["notification_id"] = notification.NotificationId,
            ["kind"] = AlertText.KindTitle(finding.Kind),
            ["message"] = AlertText.Truncate(finding.Message, MaxDetail),
            ["consequence"] = AlertText.Truncate(finding.Consequence, MaxDetail),
            ["remedy"] = AlertText.Truncate(finding.Remedy, MaxDetail),
            ["subscription_id"] = finding.PoolId.SubscriptionId,
            ["resource_group"] = finding.PoolId.ResourceGroup,
            ["pool"] = finding.PoolId.Name,
            ["cluster"] = evidence.Cluster,
            ["location"] = evidence.Location,
            ["previous_sizes"] = AlertText.Sizes(evidence.PreviousSizes),
            ["current_sizes"] = AlertText.Sizes(evidence.CurrentSizes),
            ["attempted_sizes"] = AlertText.Sizes(evidence.AttemptedSizes),
            ["accelerated_networking"] = AlertText.AcceleratedNetworking(evidence.AcceleratedNetworking),
            ["size_support"] = evidence.SizeSupport is { } support ? AlertText.Truncate(support, MaxDetail) : null,
            ["error"] = AlertText.Error(evidence) is { Length: > 0 } error ? AlertText.Truncate(error, MaxDetail) : null,
            ["correlation_id"] = evidence.CorrelationId,
            ["first_seen"] = AlertText.Iso(finding.FirstSeen),
            ["last_seen"] = AlertText.Iso(finding.LastSeen),
        };

        foreach (var key in details.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            details.Remove(key);
        }

        return details;
    }
}
