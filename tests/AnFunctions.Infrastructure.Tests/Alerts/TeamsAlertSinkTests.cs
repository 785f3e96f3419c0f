using System.Text;
using System.Text.Json.Nodes;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Alerts;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>
/// The Workflows webhook message: <c>{ type: message, attachments: [ { contentType: application/vnd.microsoft.card.adaptive,
/// contentUrl: null, content: AdaptiveCard } ] }</c>, the card's elements, and finding text shown exactly as it is:
/// every text is a TextRun (no Markdown), so no escaping backslash can ever show.
/// </summary>
public sealed class TeamsAlertSinkTests
{
    [Fact]
    public async Task SendAsync_Trigger_PostsAnAdaptiveCardMessage()
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(202));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);
        var notification = AlertTestData.Trigger();

        await harness.Sink(AlertSinkNames.Teams).SendAsync(notification, default);

        var request = receiver.Single();
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var message = request.Json.AsObject();
        Assert.Equal("message", (string?)message["type"]);
        var attachment = Assert.Single(message["attachments"]!.AsArray())!.AsObject();
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        Assert.True(attachment.ContainsKey("contentUrl"));
        Assert.Null(attachment["contentUrl"]);

        var card = attachment["content"]!.AsObject();
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", (string?)card["$schema"]);
        Assert.Equal("AdaptiveCard", (string?)card["type"]);
        Assert.Equal("1.4", (string?)card["version"]);

        var title = TitleRun(card);
        Assert.Equal("WARNING: Resized without accelerated networking on aks-pool1", (string?)title["text"]);
        Assert.Equal("Warning", (string?)title["color"]);
        Assert.Equal("Bolder", (string?)title["weight"]);

        var facts = Facts(card);
        Assert.Equal("aks-pool1", facts["Pool"]);
        Assert.Equal("aks-prod-weu", facts["Cluster"]);
        Assert.Equal(AlertTestData.SubscriptionId, facts["Subscription"]);
        Assert.Equal("k8s-prod", facts["Resource group"]);
        Assert.Equal("Standard_B2s", facts["Previous size"]);
        Assert.Equal("Standard_D4s_v5", facts["Current size"]);
        Assert.Equal("Standard_D4s_v5", facts["Attempted size"]);
        Assert.Equal("Off", facts["Accelerated networking"]);
        Assert.Equal(notification.Finding.Consequence, facts["Consequence"]);
        Assert.Equal(notification.Finding.Id, facts["Finding"]);

        var texts = Texts(card);
        Assert.Contains(notification.Finding.Message, texts);
        Assert.Contains("Remedy", texts);
        Assert.Contains(texts, t => t.StartsWith("Enable accelerated networking on the pool", StringComparison.Ordinal));

        var action = Assert.Single(card["actions"]!.AsArray())!;
        Assert.Equal("Action.OpenUrl", (string?)action["type"]);
        Assert.Equal("Open in Azure portal", (string?)action["title"]);
        Assert.Equal(notification.PortalUrl.AbsoluteUri, (string?)action["url"]);
    }

    [Theory]
    [InlineData(FindingSeverity.Critical, "Attention")]
    [InlineData(FindingSeverity.Warning, "Warning")]
    [InlineData(FindingSeverity.Info, "Accent")]
    public async Task SendAsync_Severity_ColorsTheTitle(FindingSeverity severity, string color)
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(202));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);

        await harness.Sink(AlertSinkNames.Teams).SendAsync(AlertTestData.Trigger(AlertTestData.Finding(severity)), default);

        Assert.Equal(color, (string?)TitleRun(Card(receiver.Single()))["color"]);
    }

    [Fact]
    public async Task SendAsync_Resolve_PostsAShortGreenCardWithThePortalLink()
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(202));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);
        var notification = AlertTestData.Resolve();

        await harness.Sink(AlertSinkNames.Teams).SendAsync(notification, default);

        var card = Card(receiver.Single());
        var title = TitleRun(card);
        Assert.Equal("Resolved: Resized without accelerated networking on aks-pool1", (string?)title["text"]);
        Assert.Equal("Good", (string?)title["color"]);
        Assert.Contains(Texts(card), t => t.Contains("2026-11-25 10:00 UTC", StringComparison.Ordinal));
        Assert.DoesNotContain("Remedy", Texts(card));
        Assert.True(card["body"]!.AsArray().Count <= 3);
        Assert.Equal("aks-pool1", Facts(card)["Pool"]);
        Assert.Equal(notification.PortalUrl.AbsoluteUri, (string?)card["actions"]![0]!["url"]);
    }

    /// <summary>
    /// AKS node resource groups (<c>MC_rg_cluster_region</c>) and VM sizes are full of underscores, the characters a
    /// Markdown escape used to prefix with a backslash that some Teams clients showed.
    /// </summary>
    [Theory]
    [InlineData(FindingSeverity.Warning, false)]
    [InlineData(FindingSeverity.Info, true)]
    public async Task SendAsync_NamesWithUnderscores_ShownExactlyWithoutBackslashes(FindingSeverity severity, bool resolve)
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(202));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);
        var pool = ScaleSetId.Create(AlertTestData.SubscriptionId, "MC_k8s_prod_aks_westeurope", "aks_nodepool_1");
        var finding = AlertTestData.Finding(severity, cluster: "aks_prod_weu", pool: pool);

        await harness.Sink(AlertSinkNames.Teams).SendAsync(resolve ? AlertTestData.Resolve(finding) : AlertTestData.Trigger(finding), default);

        var card = Card(receiver.Single());
        var facts = Facts(card);
        Assert.Equal("MC_k8s_prod_aks_westeurope", facts["Resource group"]);
        Assert.Equal("aks_nodepool_1", facts["Pool"]);
        Assert.Equal("aks_prod_weu", facts["Cluster"]);
        Assert.EndsWith("on aks_nodepool_1", (string?)TitleRun(card)["text"], StringComparison.Ordinal);
        Assert.All(Texts(card), t => Assert.DoesNotContain('\\', t));
    }

    [Fact]
    public async Task SendAsync_HostileText_ShownAsTextNeverMarkupAndStaysSmall()
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(202));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);

        await harness.Sink(AlertSinkNames.Teams).SendAsync(AlertTestData.HostileTrigger(), default);

        var request = receiver.Single();
        Assert.True(Encoding.UTF8.GetByteCount(request.Body) < 28 * 1024, $"the message is {request.Body.Length} characters; Teams takes 28 KB");
        var card = Card(request);

        // No element of the card reads Markdown: every text is a TextRun of a RichTextBlock.
        var types = Types(card).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["AdaptiveCard", "Column", "ColumnSet", "Container", "RichTextBlock", "TextRun"], types);

        var texts = Texts(card);
        Assert.Contains(texts, t => t.Contains("[click](https://evil.example)", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("*bold* _italic_ ~strike~ `code`", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("<script>", StringComparison.Ordinal)); // Adaptive Cards render no HTML.
        Assert.Contains("- list item", texts);
        Assert.Contains("1. numbered", texts);
        Assert.Contains(texts, t => t.Contains("\"quotes\" & 'single'", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.EndsWith(AlertText.Ellipsis, StringComparison.Ordinal));

        // The only backslash is the one the finding's text has; none is added.
        Assert.All(texts, t => Assert.DoesNotContain('\\', t.Replace(@"\ backslash", string.Empty, StringComparison.Ordinal)));
        Assert.All(texts, t => Assert.DoesNotContain('\n', t));
        Assert.All(Facts(card).Values, v => Assert.True(v.Length <= 500, $"a fact of {v.Length} characters"));
    }

    private static JsonObject Card(ReceivedRequest request) => request.Json["attachments"]![0]!["content"]!.AsObject();

    /// <summary>The first run of the first paragraph: the card's title.</summary>
    private static JsonObject TitleRun(JsonObject card)
    {
        var first = card["body"]![0]!;
        Assert.Equal("RichTextBlock", (string?)first["type"]);
        return first["inlines"]![0]!.AsObject();
    }

    /// <summary>Every element type in the card's body, nested ones included (the actions are not text).</summary>
    private static IEnumerable<string> Types(JsonNode? node)
    {
        if (node is JsonArray array)
        {
            foreach (var type in array.SelectMany(Types))
            {
                yield return type;
            }
        }

        if (node is not JsonObject obj)
        {
            yield break;
        }

        if (obj["type"] is JsonValue value && value.TryGetValue<string>(out var own))
        {
            yield return own;
        }

        foreach (var type in obj.Where(p => p.Key != "actions").SelectMany(p => Types(p.Value)))
        {
            yield return type;
        }
    }

    /// <summary>The text of every TextRun, in order.</summary>
    private static List<string> Texts(JsonNode? node) => node switch
    {
        JsonObject obj when (string?)obj["type"] == "TextRun" => [(string)obj["text"]!],
        JsonObject obj => [.. obj.Where(p => p.Key != "actions").SelectMany(p => Texts(p.Value))],
        JsonArray array => [.. array.SelectMany(Texts)],
        _ => [],
    };

    /// <summary>The fact rows (container <c>facts</c>): title run of the first column, value run of the second.</summary>
    private static Dictionary<string, string> Facts(JsonObject card)
    {
        var container = card["body"]!.AsArray().Single(b => (string?)b!["id"] == "facts")!;
        Assert.Equal("Container", (string?)container["type"]);
        return container["items"]!.AsArray().ToDictionary(
            row => Assert.Single(Texts(row!["columns"]![0])),
            row => Assert.Single(Texts(row!["columns"]![1])));
    }
}
