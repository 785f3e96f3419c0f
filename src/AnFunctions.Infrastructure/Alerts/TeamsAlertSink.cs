using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// Microsoft Teams through a Workflows (Power Automate) webhook, <c>Alerts:Teams:Url</c> — the "When a Teams webhook
/// request is received" trigger with "Post card in a chat or channel". Workflows take Adaptive Cards only (no
/// MessageCard), wrapped in a message with one attachment:
/// <c>{ "type": "message", "attachments": [ { "contentType": "application/vnd.microsoft.card.adaptive",
/// "contentUrl": null, "content": { AdaptiveCard } } ] }</c>.
/// Formats followed:
/// <list type="bullet">
/// <item>Microsoft Learn, "Create and send messages" (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using),
/// section "Send Adaptive Cards using an Incoming Webhook": the envelope above; "type" must be "message"; Workflows
/// support Adaptive Cards only; message size limit 28 KB; Action.OpenUrl is supported.</item>
/// <item>Microsoft Learn, "Format cards in Teams" (learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format):
/// Markdown (bold, italic, lists, links) in TextBlock text and Fact title/value, no HTML; <c>msteams.width: Full</c>.</item>
/// <item>adaptivecards.io schema (http://adaptivecards.io/schemas/adaptive-card.json), version 1.4: TextBlock
/// (color Default|Accent|Good|Warning|Attention, weight, size, wrap, isSubtle), FactSet, Action.OpenUrl.</item>
/// </list>
/// Text from findings is escaped for that Markdown (<see cref="AlertText.Card"/>) and cut so the card stays far under 28 KB.
/// </summary>
public sealed class TeamsAlertSink(IOptions<AlertsOptions> options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger<TeamsAlertSink> logger)
    : HttpAlertSink(AlertSinkNames.Teams, options?.Value!, httpClientFactory, time, logger)
{
    public const string CardVersion = "1.4";

    private const int MaxTitle = 300;
    private const int MaxFact = 500;
    private const int MaxText = 2000;

    protected override Uri? Endpoint => Options.Teams.Url;

    protected override FindingSeverity? MinimumSeverity => Options.Teams.MinimumSeverity;

    internal override JsonNode BuildPayload(AlertNotification notification)
    {
        var card = notification.Action == AlertAction.Resolve ? ResolvedCard(notification) : TriggerCard(notification);
        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["contentUrl"] = null,
                ["content"] = card,
            }),
        };
    }

    private static JsonObject TriggerCard(AlertNotification notification)
    {
        var finding = notification.Finding;
        var evidence = finding.Evidence;
        var facts = new List<(string, string)>
        {
            ("Pool", finding.PoolId.Name),
            ("Cluster", evidence.Cluster ?? "unknown"),
            ("Subscription", finding.PoolId.SubscriptionId),
            ("Resource group", finding.PoolId.ResourceGroup),
            ("Location", evidence.Location ?? "unknown"),
            ("Previous size", AlertText.Sizes(evidence.PreviousSizes)),
            ("Current size", AlertText.Sizes(evidence.CurrentSizes)),
            ("Attempted size", AlertText.Sizes(evidence.AttemptedSizes)),
            ("Accelerated networking", AlertText.AcceleratedNetworking(evidence.AcceleratedNetworking)),
            ("Consequence", finding.Consequence),
        };
        if (AlertText.Error(evidence) is { Length: > 0 } error)
        {
            facts.Add(("Azure error", error));
        }

        facts.Add(("Finding", finding.Id));

        return Card(
            [
                Text(AlertText.Card(AlertText.Title(finding), MaxTitle), color: Color(finding.Severity), weight: "Bolder", size: "Medium"),
                Text(AlertText.Card(finding.Message, MaxText, multiline: true)),
                FactSet(facts),
                Text("Remedy", weight: "Bolder"),
                Text(AlertText.Card(finding.Remedy, MaxText, multiline: true)),
                Text($"First seen {AlertText.Time(finding.FirstSeen)}, last seen {AlertText.Time(finding.LastSeen)}", size: "Small", subtle: true),
            ],
            notification.PortalUrl);
    }

    private static JsonObject ResolvedCard(AlertNotification notification)
    {
        var finding = notification.Finding;
        var resolvedAt = finding.ResolvedAt ?? notification.CreatedAt;
        return Card(
            [
                Text(AlertText.Card(AlertText.ResolvedTitle(finding), MaxTitle), color: "Good", weight: "Bolder", size: "Medium"),
                Text($"Resolved at {AlertText.Time(resolvedAt)}.", subtle: true),
                FactSet(
                [
                    ("Pool", finding.PoolId.Name),
                    ("Cluster", finding.Evidence.Cluster ?? "unknown"),
                    ("Subscription", finding.PoolId.SubscriptionId),
                    ("Resource group", finding.PoolId.ResourceGroup),
                    ("Finding", finding.Id),
                ]),
            ],
            notification.PortalUrl);
    }

    private static JsonObject Card(JsonNode[] body, Uri portalUrl) => new()
    {
        ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
        ["type"] = "AdaptiveCard",
        ["version"] = CardVersion,
        ["msteams"] = new JsonObject { ["width"] = "Full" },
        ["body"] = new JsonArray(body),
        ["actions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Action.OpenUrl",
            ["title"] = "Open in Azure portal",
            ["url"] = portalUrl.AbsoluteUri,
        }),
    };

    /// <summary>A TextBlock; <paramref name="text"/> must already be escaped (or be our own constant text).</summary>
    private static JsonObject Text(string text, string? color = null, string? weight = null, string? size = null, bool subtle = false)
    {
        var block = new JsonObject { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true };
        if (color is not null)
        {
            block["color"] = color;
        }

        if (weight is not null)
        {
            block["weight"] = weight;
        }

        if (size is not null)
        {
            block["size"] = size;
        }

        if (subtle)
        {
            block["isSubtle"] = true;
        }

        return block;
    }

    /// <summary>A FactSet; the values are escaped here (one line each), the titles are ours.</summary>
    private static JsonObject FactSet(IEnumerable<(string Title, string Value)> facts) => new()
    {
        ["type"] = "FactSet",
        ["facts"] = new JsonArray([.. facts.Select(f => (JsonNode)new JsonObject
        {
            ["title"] = f.Title,
            ["value"] = AlertText.Card(f.Value, MaxFact),
        })]),
    };

    private static string Color(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => "Attention",
        FindingSeverity.Warning => "Warning",
        _ => "Accent",
    };
}
