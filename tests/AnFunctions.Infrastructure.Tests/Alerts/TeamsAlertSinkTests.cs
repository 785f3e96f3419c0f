using System.Text;
using System.Text.Json.Nodes;
using AnFunctions.Core.Findings;
using AnFunctions.Infrastructure.Alerts;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>
/// The Workflows webhook message: <c>{ type: message, attachments: [ { contentType: application/vnd.microsoft.card.adaptive,
/// contentUrl: null, content: AdaptiveCard } ] }</c>, the card's elements, and Markdown escaping of finding text.
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

        var body = card["body"]!.AsArray();
        var title = body[0]!;
        Assert.Equal("TextBlock", (string?)title["type"]);
        Assert.Equal("WARNING: Resized without accelerated networking on aks-pool1", (string?)title["text"]);
        Assert.Equal("Warning", (string?)title["color"]);
        Assert.Equal("Bolder", (string?)title["weight"]);
        Assert.All(body, b => Assert.Contains((string?)b!["type"], new[] { "TextBlock", "FactSet" }));

        var facts = Facts(card);
        Assert.Equal("aks-pool1", facts["Pool"]);
        Assert.Equal("aks-prod-weu", facts["Cluster"]);
        Assert.Equal(AlertTestData.SubscriptionId, facts["Subscription"]);
        Assert.Equal("k8s-prod", facts["Resource group"]);
        Assert.Equal(@"Standard\_B2s", facts["Previous size"]);
        Assert.Equal(@"Standard\_D4s\_v5", facts["Current size"]);
        Assert.Equal(@"Standard\_D4s\_v5", facts["Attempted size"]);
        Assert.Equal("Off", facts["Accelerated networking"]);
        Assert.Equal(notification.Finding.Consequence, facts["Consequence"]);
        Assert.Equal(notification.Finding.Id, facts["Finding"]);

        var texts = body.Where(b => (string?)b!["type"] == "TextBlock").Select(b => (string)b!["text"]!).ToList();
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

        Assert.Equal(color, (string?)Card(receiver.Single())["body"]![0]!["color"]);
    }

    [Fact]
    public async Task SendAsync_Resolve_PostsAShortGreenCardWithThePortalLink()
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(202));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);
        var notification = AlertTestData.Resolve();

        await harness.Sink(AlertSinkNames.Teams).SendAsync(notification, default);

        var card = Card(receiver.Single());
        var title = card["body"]![0]!;
        Assert.Equal("Resolved: Resized without accelerated networking on aks-pool1", (string?)title["text"]);
        Assert.Equal("Good", (string?)title["color"]);
        Assert.Contains("2026-11-25 10:00 UTC", (string?)card["body"]![1]!["text"], StringComparison.Ordinal);
        Assert.DoesNotContain("Remedy", card.ToJsonString(), StringComparison.Ordinal);
        Assert.True(card["body"]!.AsArray().Count <= 3);
        Assert.Equal(notification.PortalUrl.AbsoluteUri, (string?)card["actions"]![0]!["url"]);
    }

    [Fact]
    public async Task SendAsync_HostileText_CannotFormatOrLinkAndStaysSmall()
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(202));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);

        await harness.Sink(AlertSinkNames.Teams).SendAsync(AlertTestData.HostileTrigger(), default);

        var request = receiver.Single();
        Assert.True(Encoding.UTF8.GetByteCount(request.Body) < 28 * 1024, $"the message is {request.Body.Length} characters; Teams takes 28 KB");
        var card = Card(request);
        var texts = card["body"]!.AsArray()
            .SelectMany(b => (string?)b!["type"] == "FactSet"
                ? b["facts"]!.AsArray().Select(f => (string)f!["value"]!)
                : [(string)b!["text"]!])
            .ToList();

        Assert.All(texts, AssertNoLiveMarkdown);
        Assert.All(Facts(card).Values, v => Assert.DoesNotContain('\n', v));
        Assert.Contains(texts, t => t.Contains(@"\[click\](https://evil.example)", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains(@"\*bold\*", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("<script>", StringComparison.Ordinal)); // Adaptive Cards render no HTML.
        Assert.Contains(texts, t => t.Contains("\n\n\\- list item", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.EndsWith(AlertText.Ellipsis, StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("\"quotes\"", StringComparison.Ordinal));
    }

    /// <summary>Every Markdown-significant character (link brackets, emphasis) is preceded by a backslash.</summary>
    private static void AssertNoLiveMarkdown(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
                continue;
            }

            Assert.False(text[i] is '[' or ']' or '*' or '_', $"unescaped '{text[i]}' at {i} in: {text[..Math.Min(text.Length, 120)]}");
        }
    }

    private static JsonObject Card(ReceivedRequest request) => request.Json["attachments"]![0]!["content"]!.AsObject();

    private static Dictionary<string, string> Facts(JsonObject card) => card["body"]!.AsArray()
        .Single(b => (string?)b!["type"] == "FactSet")!["facts"]!.AsArray()
        .ToDictionary(f => (string)f!["title"]!, f => (string)f!["value"]!);
}
