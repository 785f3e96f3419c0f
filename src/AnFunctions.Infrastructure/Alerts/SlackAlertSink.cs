using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// Slack incoming webhook (<c>Alerts:Slack:Url</c>) with Block Kit: <c>{ "text": fallback, "blocks": [ header,
/// section (message + fields), section (consequence), section (remedy), [section (Azure error)], actions (portal
/// button), context ] }</c>; a resolve is a short section, context and button. Slack answers 200 <c>ok</c>; errors
/// are 400 <c>invalid_payload</c>/<c>invalid_blocks</c>, 403, 404, 410 (terminal), 429 with Retry-After, 5xx.
/// Formats and limits followed (docs.slack.dev):
/// <list type="bullet">
/// <item>"Formatting message text", Escaping text: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> are control characters in
/// text objects and must be sent as entities (only those three).</item>
/// <item>Header block (reference/block-kit/blocks/header-block): plain_text, at most 150 characters.</item>
/// <item>Section block (reference/block-kit/blocks/section-block): text 1..3000 characters; at most 10 fields, each
/// at most 2000 characters.</item>
/// <item>Button element (reference/block-kit/block-elements/button-element): plain_text text at most 75 characters,
/// url at most 3000.</item>
/// <item>Context block: at most 10 elements. A message's top-level <c>text</c> is the fallback for notifications.</item>
/// <item>api.slack.com changelog 2016-05-17, "Improving error conditions for Incoming Webhooks": the status codes above;
/// rate limits: 429 with a Retry-After header.</item>
/// </list>
/// Every piece of finding text is escaped and cut to its limit after escaping (<see cref="AlertText.Slack"/>).
/// </summary>
public sealed class SlackAlertSink(IOptions<AlertsOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<SlackAlertSink> logger)
    : HttpAlertSink(AlertSinkNames.Slack, options?.Value!, httpClientFactory, time, logger)
{
    public const int MaxHeader = 150;
    public const int MaxSectionText = 3000;
    public const int MaxFields = 10;
    public const int MaxFieldText = 2000;
    public const int MaxButtonText = 75;
    public const int MaxFallback = 3000;

    protected override Uri? Endpoint => Options.Slack.Url;

    protected override FindingSeverity? MinimumSeverity => Options.Slack.MinimumSeverity;

    internal override JsonNode BuildPayload(AlertNotification notification) =>
        notification.Action == AlertAction.Resolve ? Resolved(notification) : Trigger(notification);

    private static JsonObject Trigger(AlertNotification notification)
    {
        var finding = notification.Finding;
        var evidence = finding.Evidence;
        var fields = new (string Label, string Value)[]
        {
            ("Pool", finding.PoolId.Name),
            ("Cluster", evidence.Cluster ?? "unknown"),
            ("Subscription", finding.PoolId.SubscriptionId),
            ("Resource group", finding.PoolId.ResourceGroup),
            ("Location", evidence.Location ?? "unknown"),
            ("Accelerated networking", AlertText.AcceleratedNetworking(evidence.AcceleratedNetworking)),
            ("Previous size", AlertText.Sizes(evidence.PreviousSizes)),
            ("Current size", AlertText.Sizes(evidence.CurrentSizes)),
            ("Attempted size", AlertText.Sizes(evidence.AttemptedSizes)),
            ("Finding", finding.Id),
        };

        var blocks = new JsonArray
        {
            Header(AlertText.Title(finding)),
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = Mrkdwn(AlertText.Slack(finding.Message is { Length: > 0 } message ? message : AlertText.Title(finding), MaxSectionText)),
                ["fields"] = new JsonArray([.. fields.Take(MaxFields).Select(f => (JsonNode)Field(f.Label, f.Value))]),
            },
            Section("Consequence", finding.Consequence),
            Section("Remedy", finding.Remedy),
        };
        if (AlertText.Error(evidence) is { Length: > 0 } error)
        {
            blocks.Add(Section("Azure error", error));
        }

        blocks.Add(PortalButton(notification.PortalUrl));
        blocks.Add(Context($"{AlertText.Severity(finding.Severity)} · first seen {AlertText.Time(finding.FirstSeen)} · last seen {AlertText.Time(finding.LastSeen)}"));

        return new JsonObject
        {
            ["text"] = AlertText.Slack(notification.Summary, MaxFallback),
            ["blocks"] = blocks,
        };
    }

    private static JsonObject Resolved(AlertNotification notification)
    {
        var finding = notification.Finding;
        var title = AlertText.ResolvedTitle(finding);
        var resolvedAt = finding.ResolvedAt ?? notification.CreatedAt;
        return new JsonObject
        {
            ["text"] = AlertText.Slack(title, MaxFallback),
            ["blocks"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "section",
                    ["text"] = Mrkdwn(":white_check_mark: *" + AlertText.Slack(title, MaxSectionText - 30) + "*"),
                },
                Context($"resolved at {AlertText.Time(resolvedAt)} · {finding.PoolId.ResourceGroup} · {finding.Id}"),
                PortalButton(notification.PortalUrl),
            },
        };
    }

    private static JsonObject Header(string text) => new()
    {
        ["type"] = "header",
        ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = AlertText.Slack(text, MaxHeader) },
    };

    private static JsonObject Section(string label, string text) => new()
    {
        ["type"] = "section",
        ["text"] = Mrkdwn($"*{label}*\n" + AlertText.Slack(text, MaxSectionText - label.Length - 3)),
    };

    private static JsonObject Field(string label, string value) =>
        Mrkdwn($"*{label}*\n" + AlertText.Slack(value, MaxFieldText - label.Length - 3));

    private static JsonObject Context(string text) => new()
    {
        ["type"] = "context",
        ["elements"] = new JsonArray(Mrkdwn(AlertText.Slack(text, MaxSectionText))),
    };

    private static JsonObject PortalButton(Uri portalUrl) => new()
    {
        ["type"] = "actions",
        ["elements"] = new JsonArray(new JsonObject
        {
            ["type"] = "button",
            ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = "Open in Azure portal" },
            ["url"] = portalUrl.AbsoluteUri,
            ["action_id"] = "open-portal",
        }),
    };

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };
}
