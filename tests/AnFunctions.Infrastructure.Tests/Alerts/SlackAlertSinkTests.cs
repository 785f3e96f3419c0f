using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Alerts;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>The Slack incoming-webhook message: Block Kit shape, its documented limits, and mrkdwn escaping.</summary>
public sealed partial class SlackAlertSinkTests
{
    [Fact]
    public async Task SendAsync_Trigger_PostsBlockKitWithFallbackText()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Slack, receiver);
        var notification = AlertTestData.Trigger();

        await harness.Sink(AlertSinkNames.Slack).SendAsync(notification, default);

        var request = receiver.Single();
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        var message = request.Json.AsObject();
        Assert.Equal(notification.Summary, (string?)message["text"]);

        var blocks = message["blocks"]!.AsArray();
        var header = blocks[0]!;
        Assert.Equal("header", (string?)header["type"]);
        Assert.Equal("plain_text", (string?)header["text"]!["type"]);
        Assert.Equal("WARNING: Resized without accelerated networking on aks-pool1", (string?)header["text"]!["text"]);

        var facts = blocks[1]!;
        Assert.Equal("section", (string?)facts["type"]);
        Assert.Equal(notification.Finding.Message, (string?)facts["text"]!["text"]);
        var fields = facts["fields"]!.AsArray().Select(f => (Type: (string)f!["type"]!, Text: (string)f["text"]!)).ToList();
        Assert.All(fields, f => Assert.Equal("mrkdwn", f.Type));
        Assert.Contains("*Pool*\naks-pool1", fields.Select(f => f.Text));
        Assert.Contains("*Cluster*\naks-prod-weu", fields.Select(f => f.Text));
        Assert.Contains($"*Subscription*\n{AlertTestData.SubscriptionId}", fields.Select(f => f.Text));
        Assert.Contains("*Resource group*\nk8s-prod", fields.Select(f => f.Text));
        Assert.Contains("*Previous size*\nStandard_B2s", fields.Select(f => f.Text));
        Assert.Contains("*Current size*\nStandard_D4s_v5", fields.Select(f => f.Text));
        Assert.Contains("*Attempted size*\nStandard_D4s_v5", fields.Select(f => f.Text));
        Assert.Contains("*Accelerated networking*\nOff", fields.Select(f => f.Text));

        var sections = blocks.Where(b => (string?)b!["type"] == "section").Select(b => (string?)b!["text"]!["text"]).ToList();
        Assert.Contains($"*Consequence*\n{notification.Finding.Consequence}", sections);
        Assert.Contains($"*Remedy*\n{AlertTestData.Remedy}", sections);

        var button = Assert.Single(blocks, b => (string?)b!["type"] == "actions")!["elements"]![0]!;
        Assert.Equal("button", (string?)button["type"]);
        Assert.Equal("Open in Azure portal", (string?)button["text"]!["text"]);
        Assert.Equal(notification.PortalUrl.AbsoluteUri, (string?)button["url"]);

        AssertWithinLimits(message);
    }

    [Fact]
    public async Task SendAsync_Resolve_PostsAShortResolvedMessage()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Slack, receiver);
        var notification = AlertTestData.Resolve();

        await harness.Sink(AlertSinkNames.Slack).SendAsync(notification, default);

        var message = receiver.Single().Json.AsObject();
        Assert.Equal("Resolved: Resized without accelerated networking on aks-pool1", (string?)message["text"]);
        var blocks = message["blocks"]!.AsArray();
        Assert.Equal(3, blocks.Count);
        Assert.Contains("*Resolved: Resized without accelerated networking on aks-pool1*", (string?)blocks[0]!["text"]!["text"], StringComparison.Ordinal);
        Assert.Contains("2026-11-25 10:00 UTC", blocks[1]!["elements"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(notification.PortalUrl.AbsoluteUri, (string?)blocks[2]!["elements"]![0]!["url"]);
        AssertWithinLimits(message);
    }

    [Fact]
    public async Task SendAsync_HostileText_CannotMentionOrLinkAndStaysWithinLimits()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Slack, receiver);

        await harness.Sink(AlertSinkNames.Slack).SendAsync(AlertTestData.HostileTrigger(), default);

        var message = receiver.Single().Json.AsObject();
        AssertWithinLimits(message);
        var texts = Texts(message).ToList();
        Assert.All(texts, AssertEscaped);
        Assert.Contains(texts, t => t.Contains("&lt;@U123&gt;", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("&lt;!channel&gt;", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("&lt;script&gt;", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("\"quotes\" &amp; 'single'", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("backslash\nline two\n- list item", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.EndsWith(AlertText.Ellipsis, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SendAsync_LongestTitle_HeaderStaysWithin150()
    {
        await using var receiver = AlertReceiver.Start();
        using var harness = SinkHarness.For(AlertSinkNames.Slack, receiver);
        var pool = ScaleSetId.Create(AlertTestData.SubscriptionId, "k8s-prod", new string('p', 80));
        var finding = AlertTestData.Finding(FindingSeverity.Critical, FindingKind.AcceleratedNetworkingOnUnsupportedSize, pool: pool);

        await harness.Sink(AlertSinkNames.Slack).SendAsync(AlertTestData.Trigger(finding), default);

        var header = (string)receiver.Single().Json["blocks"]![0]!["text"]!["text"]!;
        Assert.True(header.Length <= SlackAlertSink.MaxHeader, $"header of {header.Length} characters");
        Assert.StartsWith("CRITICAL: Accelerated networking on an unsupported size on ppp", header, StringComparison.Ordinal);
    }

    /// <summary>Block Kit limits (docs.slack.dev): header 150, section text 3000, 10 fields of 2000, button text 75.</summary>
    private static void AssertWithinLimits(JsonObject message)
    {
        foreach (var block in message["blocks"]!.AsArray())
        {
            switch ((string?)block!["type"])
            {
                case "header":
                    Assert.InRange(((string)block["text"]!["text"]!).Length, 1, SlackAlertSink.MaxHeader);
                    break;
                case "section":
                    Assert.InRange(((string)block["text"]!["text"]!).Length, 1, SlackAlertSink.MaxSectionText);
                    if (block["fields"] is JsonArray fields)
                    {
                        Assert.InRange(fields.Count, 1, SlackAlertSink.MaxFields);
                        Assert.All(fields, f => Assert.InRange(((string)f!["text"]!).Length, 1, SlackAlertSink.MaxFieldText));
                    }

                    break;
                case "actions":
                    Assert.All(block["elements"]!.AsArray(), e =>
                    {
                        Assert.InRange(((string)e!["text"]!["text"]!).Length, 1, SlackAlertSink.MaxButtonText);
                        Assert.InRange(((string)e["url"]!).Length, 1, 3000);
                    });
                    break;
                case "context":
                    Assert.InRange(block["elements"]!.AsArray().Count, 1, 10);
                    break;
                default:
                    Assert.Fail($"unexpected block {block["type"]}");
                    break;
            }
        }

        Assert.InRange(((string)message["text"]!).Length, 1, SlackAlertSink.MaxFallback);
    }

    /// <summary>No raw &lt; or &gt; (mentions, links), and every &amp; starts one of the three entities.</summary>
    private static void AssertEscaped(string text)
    {
        Assert.DoesNotContain('<', text);
        Assert.DoesNotContain('>', text);
        Assert.DoesNotMatch(BareAmpersand(), text);
    }

    /// <summary>Every text of every text object, and the fallback.</summary>
    private static IEnumerable<string> Texts(JsonObject message)
    {
        yield return (string)message["text"]!;
        foreach (var node in Descendants(message["blocks"]!))
        {
            if (node is JsonObject o && (string?)o["type"] is "mrkdwn" or "plain_text")
            {
                yield return (string)o["text"]!;
            }
        }
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().SelectMany(Descendants))
        {
            yield return child;
        }
    }

    [GeneratedRegex("&(?!amp;|lt;|gt;)")]
    private static partial Regex BareAmpersand();
}
