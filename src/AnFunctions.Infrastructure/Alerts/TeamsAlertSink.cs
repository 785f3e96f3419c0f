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
/// Teams renders Markdown in TextBlock text and in Fact titles and values; <c>msteams.width: Full</c>.</item>
/// <item>adaptivecards.io schema (http://adaptivecards.io/schemas/adaptive-card.json), version 1.4: RichTextBlock and
/// TextRun ("Markdown is not supported" in a TextRun's text; color, weight, size, isSubtle per run), ColumnSet,
/// Container, Action.OpenUrl.</item>
/// </list>
/// Every text of the card is a TextRun, so nothing in it is read as Markdown: finding text (pool names such as
/// <c>MC_rg_cluster_westeurope</c>, sizes such as <c>Standard_D4s_v5</c>, Azure's error messages) shows exactly as it
/// is, with no escaping backslash for a client to show, and cannot make a link or emphasis. Facts are two-column rows
/// instead of a FactSet (whose values Teams reads as Markdown). Text is cut so the card stays far under 28 KB.
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
                Paragraph(Run(AlertText.Plain(AlertText.Title(finding), MaxTitle), color: Color(finding.Severity), weight: "Bolder", size: "Medium")),
                .. Paragraphs(finding.Message),
                Facts(facts),
                Paragraph(Run("Remedy", weight: "Bolder")),
                .. Paragraphs(finding.Remedy),
                Paragraph(Run($"First seen {AlertText.Time(finding.FirstSeen)}, last seen {AlertText.Time(finding.LastSeen)}", size: "Small", subtle: true)),
            ],
            notification.PortalUrl);
    }

    private static JsonObject ResolvedCard(AlertNotification notification)
    {
        var finding = notification.Finding;
        var resolvedAt = finding.ResolvedAt ?? notification.CreatedAt;
        return Card(
            [
                Paragraph(Run(AlertText.Plain(AlertText.ResolvedTitle(finding), MaxTitle), color: "Good", weight: "Bolder", size: "Medium")),
                Paragraph(Run($"Resolved at {AlertText.Time(resolvedAt)}.", subtle: true)),
                Facts(
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

    /// <summary>A TextRun: its text is shown as given (no Markdown), whoever wrote it.</summary>
    private static JsonObject Run(string text, string? color = null, string? weight = null, string? size = null, bool subtle = false)
    {
        var run = new JsonObject { ["type"] = "TextRun", ["text"] = text };
        if (color is not null)
        {
            run["color"] = color;
        }

        if (weight is not null)
        {
            run["weight"] = weight;
        }

        if (size is not null)
        {
            run["size"] = size;
        }

        if (subtle)
        {
            run["isSubtle"] = true;
        }

        return run;
    }

    /// <summary>A RichTextBlock (always wrapped) of runs.</summary>
    private static JsonObject Paragraph(params JsonNode[] runs) => new()
    {
        ["type"] = "RichTextBlock",
        ["inlines"] = new JsonArray(runs),
    };

    /// <summary>Free text over several lines: one paragraph per non-empty line, the whole cut to <see cref="MaxText"/>.</summary>
    private static IEnumerable<JsonObject> Paragraphs(string text) =>
        AlertText.Plain(text, MaxText, multiline: true)
            .Split('\n')
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => Paragraph(Run(line)));

    /// <summary>
    /// The facts as rows of two columns (title in bold, value; 1:3), in a container with id <c>facts</c>; each value
    /// made one line and cut to <see cref="MaxFact"/>.
    /// </summary>
    private static JsonObject Facts(IEnumerable<(string Title, string Value)> facts) => new()
    {
        ["type"] = "Container",
        ["id"] = "facts",
        ["items"] = new JsonArray([.. facts.Select((f, i) => (JsonNode)new JsonObject
        {
            ["type"] = "ColumnSet",
            ["spacing"] = i == 0 ? "Default" : "None",
            ["columns"] = new JsonArray(
                Column(1, Paragraph(Run(f.Title, weight: "Bolder"))),
                Column(3, Paragraph(Run(AlertText.Plain(f.Value, MaxFact))))),
        })]),
    };

    private static JsonObject Column(int width, JsonNode item) => new()
    {
        ["type"] = "Column",
        ["width"] = width,
        ["items"] = new JsonArray(item),
    };

    private static string Color(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => "Attention",
        FindingSeverity.Warning => "Warning",
        _ => "Accent",
    };
}
