using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// Generic webhook (<c>Alerts:Webhook:Url</c>): POSTs our own JSON, schema <c>anfunctions.alert/v1</c>, with the
/// notification id in an <c>Idempotency-Key</c> header. Any 2xx is success. The document (every key always present;
/// absent values are <c>null</c>, lists are <c>[]</c>; times are ISO 8601 UTC; enums are lower camel case):
/// <code>
/// {
///   "schema": "anfunctions.alert/v1",
///   "action": "trigger" | "resolve",
///   "notificationId": "…", "createdAt": "2026-11-25T09:00:00.000Z",
///   "findingId": "fnd-…", "dedupKey": "fnd-…",
///   "kind": "sizeChangedWithoutAcceleratedNetworking",
///   "severity": "info" | "warning" | "critical",
///   "status": "open" | "resolved",
///   "pool": { "resourceId", "name", "resourceGroup", "subscriptionId", "cluster", "location" },
///   "sizes": { "previous": [..], "current": [..], "attempted": [..] },
///   "acceleratedNetworking": true | false | null,
///   "message", "consequence", "remedy",
///   "evidence": { "sizeSupport", "errorCode", "errorMessage", "correlationId", "eventIds": [..], "activityLogPending" },
///   "firstSeen", "lastSeen", "resolvedAt",
///   "portalUrl": "https://portal.azure.com/#@/resource/subscriptions/…/overview"
/// }
/// </code>
/// Additive changes (new keys) keep <c>v1</c>; renaming, removing or retyping a key makes <c>v2</c>.
/// </summary>
public sealed class WebhookAlertSink(IOptions<AlertsOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<WebhookAlertSink> logger)
    : HttpAlertSink(AlertSinkNames.Webhook, options?.Value!, httpClientFactory, time, logger)
{
    public const string Schema = "anfunctions.alert/v1";

    protected override Uri? Endpoint => Options.Webhook.Url;

    protected override FindingSeverity? MinimumSeverity => Options.Webhook.MinimumSeverity;

    internal override void AddHeaders(HttpRequestMessage request, AlertNotification notification) =>
        request.Headers.Add("Idempotency-Key", notification.NotificationId);

    internal override JsonNode BuildPayload(AlertNotification notification)
    {
        var finding = notification.Finding;
        var evidence = finding.Evidence;
        var pool = finding.PoolId;
        return new JsonObject
        {
            ["schema"] = Schema,
            ["action"] = notification.Action == AlertAction.Resolve ? "resolve" : "trigger",
            ["notificationId"] = notification.NotificationId,
            ["createdAt"] = AlertText.Iso(notification.CreatedAt),
            ["findingId"] = finding.Id,
            ["dedupKey"] = notification.DedupKey,
            ["kind"] = JsonNamingPolicy.CamelCase.ConvertName(finding.Kind.ToString()),
            ["severity"] = AlertText.Severity(finding.Severity),
            ["status"] = finding.Status == FindingStatus.Resolved ? "resolved" : "open",
            ["pool"] = new JsonObject
            {
                ["resourceId"] = pool.Value,
                ["name"] = pool.Name,
                ["resourceGroup"] = pool.ResourceGroup,
                ["subscriptionId"] = pool.SubscriptionId,
                ["cluster"] = evidence.Cluster,
                ["location"] = evidence.Location,
            },
            ["sizes"] = new JsonObject
            {
                ["previous"] = Array(evidence.PreviousSizes),
                ["current"] = Array(evidence.CurrentSizes),
                ["attempted"] = Array(evidence.AttemptedSizes),
            },
            ["acceleratedNetworking"] = evidence.AcceleratedNetworking,
            ["message"] = finding.Message,
            ["consequence"] = finding.Consequence,
            ["remedy"] = finding.Remedy,
            ["evidence"] = new JsonObject
            {
                ["sizeSupport"] = evidence.SizeSupport,
                ["errorCode"] = evidence.ErrorCode,
                ["errorMessage"] = evidence.ErrorMessage,
                ["correlationId"] = evidence.CorrelationId,
                ["eventIds"] = Array(evidence.EventIds),
                ["activityLogPending"] = evidence.ActivityLogPending,
                ["writeAttempt"] = evidence.WriteAttempt,
                ["resolution"] = evidence.Resolution,
            },
            ["firstSeen"] = AlertText.Iso(finding.FirstSeen),
            ["lastSeen"] = AlertText.Iso(finding.LastSeen),
            ["resolvedAt"] = finding.ResolvedAt is { } resolved ? AlertText.Iso(resolved) : null,
            ["portalUrl"] = notification.PortalUrl.AbsoluteUri,
        };
    }

    private static JsonArray Array(IReadOnlyList<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
