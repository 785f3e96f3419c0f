using AnFunctions.Core.Alerts;
using AnFunctions.Infrastructure.Alerts;
using Microsoft.Extensions.Logging.Testing;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>
/// Sink URLs and the routing key are secrets: whatever happens to a delivery (refused, echoed back, unreachable, timed
/// out), they appear in no log line (the HTTP client factory's included) and in no exception message or inner exception.
/// </summary>
public sealed class AlertSecretsTests
{
    private const string WebhookToken = "WHsecret7f3a9c2e41d8b6";
    private const string TeamsSig = "TMsig4b8e2d7a1c9f03e5";
    private const string SlackToken = "SLsecretQx7Lm2Vn9Kp4Rt8Zw";

    public static TheoryData<string> Sinks => [.. AlertSinkNames.All];

    public static TheoryData<string, string> Failures
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var sink in AlertSinkNames.All)
            {
                foreach (var failure in new[] { "echo400", "echo500", "unreachable", "timeout", "success" })
                {
                    data.Add(sink, failure);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task SendAsync_AnyOutcome_SecretsInNoLogAndNoException(string sink, string failure)
    {
        // A receiver that echoes the request (URL, headers, body: the routing key is in the body) back in its answer.
        await using var receiver = AlertReceiver.Start(r => failure switch
        {
            "echo400" => new ScriptedResponse(400, $"bad request to {r.Path}{r.Query}: {r.Body}"),
            "echo500" => new ScriptedResponse(500, $"{{\"error\":\"{r.Path}{r.Query}\",\"key\":\"{SinkHarness.RoutingKey}\"}}"),
            "timeout" => new ScriptedResponse(200, Delay: TimeSpan.FromSeconds(30)),
            _ => new ScriptedResponse(202, $"accepted {r.Path}{r.Query}"),
        });
        var baseUri = failure == "unreachable" ? new Uri($"http://127.0.0.1:{AlertReceiver.FreePort()}/") : receiver.BaseUri;
        var endpoint = SecretEndpoint(sink, baseUri);
        using var harness = SinkHarness.For(sink, endpoint, o => o.DeliveryTimeout = TimeSpan.FromSeconds(1));

        Exception? thrown = null;
        try
        {
            await harness.Sink(sink).SendAsync(AlertTestData.Trigger(), default);
        }
        catch (AlertDeliveryException e)
        {
            thrown = e;
        }

        Assert.Equal(failure == "success", thrown is null);
        var secrets = Secrets(sink, endpoint);
        foreach (var secret in secrets)
        {
            if (thrown is not null)
            {
                Assert.DoesNotContain(secret, thrown.ToString(), StringComparison.OrdinalIgnoreCase);
            }

            foreach (var record in harness.Logs.GetSnapshot())
            {
                Assert.DoesNotContain(secret, Everything(record), StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.NotEmpty(harness.Logs.GetSnapshot());
    }

    [Fact]
    public async Task SendAsync_Echo400_StillSaysWhatTheReceiverSaid()
    {
        await using var receiver = AlertReceiver.Start(r => new ScriptedResponse(400, $"invalid_blocks at {r.Path}"));
        using var harness = SinkHarness.For(AlertSinkNames.Slack, SecretEndpoint(AlertSinkNames.Slack, receiver.BaseUri));

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(AlertSinkNames.Slack).SendAsync(AlertTestData.Trigger(), default));

        Assert.Contains("invalid_blocks at ***", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Where the secret sits in each vendor's URL: a path token (webhook, Slack), a query signature (Workflows).</summary>
    private static Uri SecretEndpoint(string sink, Uri baseUri) => sink switch
    {
        AlertSinkNames.Webhook => new Uri(baseUri, $"hooks/{WebhookToken}"),
        AlertSinkNames.Teams => new Uri(baseUri, $"workflows/2b7c3f1e9d/triggers/manual/paths/invoke?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={TeamsSig}"),
        AlertSinkNames.Slack => new Uri(baseUri, $"services/T0AAAAAAA/B0BBBBBBB/{SlackToken}"),
        _ => new Uri(baseUri, "v2/enqueue"),
    };

    private static IEnumerable<string> Secrets(string sink, Uri endpoint) => sink switch
    {
        AlertSinkNames.PagerDuty => [SinkHarness.RoutingKey],
        _ => [endpoint.AbsoluteUri, endpoint.PathAndQuery, sink switch
        {
            AlertSinkNames.Webhook => WebhookToken,
            AlertSinkNames.Teams => TeamsSig,
            _ => SlackToken,
        }],
    };

    /// <summary>A log record as any sink could write it: message, structured values, scopes, exception chain.</summary>
    private static string Everything(FakeLogRecord record) => string.Join(
        "\n",
        [
            record.Message,
            record.Category,
            .. (record.StructuredState ?? []).Select(kv => $"{kv.Key}={kv.Value}"),
            .. record.Scopes.Select(s => s?.ToString() ?? string.Empty),
            record.Exception?.ToString() ?? string.Empty,
        ]);
}
