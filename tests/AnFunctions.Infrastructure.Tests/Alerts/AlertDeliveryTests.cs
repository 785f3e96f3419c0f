using System.Diagnostics;
using System.Globalization;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Infrastructure.Alerts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>What every sink does alike: how a receiver's answer (or silence) is classified, and the severity filter.</summary>
public sealed class AlertDeliveryTests
{
    public static TheoryData<string> Sinks => [.. AlertSinkNames.All];

    public static TheoryData<string, int, bool> Statuses
    {
        get
        {
            var data = new TheoryData<string, int, bool>();
            (int Status, bool Transient)[] table =
            [
                (400, false), (401, false), (403, false), (404, false), (410, false), (413, false), (422, false),
                (408, true), (429, true), (500, true), (502, true), (503, true), (504, true),
            ];
            foreach (var sink in AlertSinkNames.All)
            {
                foreach (var (status, transient) in table)
                {
                    data.Add(sink, status, transient);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task SendAsync_ErrorStatus_ThrowsClassifiedDeliveryException(string sink, int status, bool transient)
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(status, "nope"));
        using var harness = SinkHarness.For(sink, receiver);

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(sink).SendAsync(AlertTestData.Trigger(), default));

        Assert.Equal(sink, e.Sink);
        Assert.Equal(status, e.Status);
        Assert.Equal(transient, e.IsTransient);
        Assert.Null(e.RetryAfter);
        Assert.StartsWith($"{sink}: HTTP {status.ToString(CultureInfo.InvariantCulture)}", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(": nope", e.Message, StringComparison.Ordinal);
        var log = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1501);
        Assert.Equal(LogLevel.Warning, log.Level);
        Assert.Single(receiver.Requests);
    }

    [Theory]
    [InlineData(AlertSinkNames.Webhook, 200)]
    [InlineData(AlertSinkNames.Webhook, 204)]
    [InlineData(AlertSinkNames.Teams, 202)]
    [InlineData(AlertSinkNames.Slack, 200)]
    [InlineData(AlertSinkNames.PagerDuty, 202)]
    public async Task SendAsync_SuccessStatus_CompletesAndLogsDelivered(string sink, int status)
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(status));
        using var harness = SinkHarness.For(sink, receiver);

        await harness.Sink(sink).SendAsync(AlertTestData.Trigger(), default);

        var log = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1500);
        Assert.Equal("AlertDelivered", log.Id.Name);
        Assert.Equal(sink, log.GetStructuredStateValue("Sink"));
        Assert.Equal(status.ToString(CultureInfo.InvariantCulture), log.GetStructuredStateValue("Status"));
    }

    [Theory]
    [MemberData(nameof(Sinks))]
    public async Task SendAsync_429WithRetryAfterSeconds_IsTransientWithThatDelay(string sink)
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(429, "slow down", new Dictionary<string, string> { ["Retry-After"] = "120" }));
        using var harness = SinkHarness.For(sink, receiver);

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(sink).SendAsync(AlertTestData.Trigger(), default));

        Assert.True(e.IsTransient);
        Assert.Equal(429, e.Status);
        Assert.Equal(TimeSpan.FromSeconds(120), e.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_503WithRetryAfterDate_IsTransientUntilThatDate()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var until = time.GetUtcNow().AddSeconds(90).ToString("R", CultureInfo.InvariantCulture);
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(503, string.Empty, new Dictionary<string, string> { ["Retry-After"] = until }));
        using var harness = SinkHarness.For(AlertSinkNames.Slack, receiver, time: time);

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(AlertSinkNames.Slack).SendAsync(AlertTestData.Trigger(), default));

        Assert.True(e.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(90), e.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_400WithRetryAfter_IsTerminalWithoutDelay()
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(400, "invalid event", new Dictionary<string, string> { ["Retry-After"] = "5" }));
        using var harness = SinkHarness.For(AlertSinkNames.PagerDuty, receiver);

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(AlertSinkNames.PagerDuty).SendAsync(AlertTestData.Trigger(), default));

        Assert.False(e.IsTransient);
        Assert.Null(e.RetryAfter);
    }

    [Theory]
    [MemberData(nameof(Sinks))]
    public async Task SendAsync_ReceiverSilentPastDeliveryTimeout_ThrowsTransientInTime(string sink)
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(200, Delay: TimeSpan.FromSeconds(30)));
        using var harness = SinkHarness.For(sink, receiver, o => o.DeliveryTimeout = TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(sink).SendAsync(AlertTestData.Trigger(), default));

        Assert.True(e.IsTransient);
        Assert.Null(e.Status);
        // At least the timeout, and less than the receiver's 30 s silence: the sink gave up, it did not wait for an answer.
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(29));
        Assert.IsAssignableFrom<OperationCanceledException>(e.InnerException);
        Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1502);
    }

    [Theory]
    [MemberData(nameof(Sinks))]
    public async Task SendAsync_NothingListening_ThrowsTransient(string sink)
    {
        using var harness = SinkHarness.For(sink, new Uri($"http://127.0.0.1:{AlertReceiver.FreePort()}/{sink}/hook"));

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(sink).SendAsync(AlertTestData.Trigger(), default));

        Assert.True(e.IsTransient);
        Assert.Null(e.Status);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1503);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_ThrowsOperationCanceledNotADeliveryFailure()
    {
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(200, Delay: TimeSpan.FromSeconds(30)));
        using var harness = SinkHarness.For(AlertSinkNames.Webhook, receiver);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Sink(AlertSinkNames.Webhook).SendAsync(AlertTestData.Trigger(), cancellation.Token));
    }

    [Fact]
    public async Task SendAsync_Redirect_IsNotFollowedAndIsTerminal()
    {
        await using var elsewhere = AlertReceiver.Start();
        await using var receiver = AlertReceiver.Start(new ScriptedResponse(307, string.Empty, new Dictionary<string, string> { ["Location"] = elsewhere.Url("/stolen").AbsoluteUri }));
        using var harness = SinkHarness.For(AlertSinkNames.Teams, receiver);

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => harness.Sink(AlertSinkNames.Teams).SendAsync(AlertTestData.Trigger(), default));

        Assert.False(e.IsTransient);
        Assert.Equal(307, e.Status);
        Assert.Empty(elsewhere.Requests);
    }

    [Theory]
    [MemberData(nameof(Sinks))]
    public async Task SendAsync_SinkNotConfigured_ThrowsTerminal(string sink)
    {
        var options = Options.Create(new AlertsOptions { PagerDuty = { EventsUrl = new Uri("http://127.0.0.1:9/") } });
        var alertSink = Create(sink, options);

        var e = await Assert.ThrowsAsync<AlertDeliveryException>(() => alertSink.SendAsync(AlertTestData.Trigger(), default));

        Assert.False(alertSink.Enabled);
        Assert.False(e.IsTransient);
        Assert.Contains("not configured", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<FindingSeverity, FindingSeverity?, FindingSeverity, AlertAction, bool> AcceptsTable => new()
    {
        // global minimum, sink override, finding severity, action, accepted
        { FindingSeverity.Warning, null, FindingSeverity.Info, AlertAction.Trigger, false },
        { FindingSeverity.Warning, null, FindingSeverity.Warning, AlertAction.Trigger, true },
        { FindingSeverity.Warning, null, FindingSeverity.Critical, AlertAction.Trigger, true },
        { FindingSeverity.Warning, FindingSeverity.Critical, FindingSeverity.Warning, AlertAction.Trigger, false },
        { FindingSeverity.Warning, FindingSeverity.Critical, FindingSeverity.Critical, AlertAction.Trigger, true },
        { FindingSeverity.Critical, FindingSeverity.Info, FindingSeverity.Info, AlertAction.Trigger, true },
        { FindingSeverity.Critical, null, FindingSeverity.Warning, AlertAction.Trigger, false },
        { FindingSeverity.Info, null, FindingSeverity.Info, AlertAction.Trigger, true },
        { FindingSeverity.Critical, null, FindingSeverity.Info, AlertAction.Resolve, true },
        { FindingSeverity.Warning, FindingSeverity.Critical, FindingSeverity.Info, AlertAction.Resolve, true },
    };

    [Theory]
    [MemberData(nameof(AcceptsTable))]
    public void Accepts_SeverityAgainstSinkOrGlobalMinimum_FiltersTriggersOnly(
        FindingSeverity global, FindingSeverity? sinkMinimum, FindingSeverity severity, AlertAction action, bool accepted)
    {
        foreach (var sink in AlertSinkNames.All)
        {
            var options = new AlertsOptions { MinimumSeverity = global };
            SinkHarness.Point(options, sink, new Uri("http://127.0.0.1:9/"));
            options.Webhook.MinimumSeverity = options.Teams.MinimumSeverity = options.Slack.MinimumSeverity = options.PagerDuty.MinimumSeverity = null;
            switch (sink)
            {
                case AlertSinkNames.Webhook: options.Webhook.MinimumSeverity = sinkMinimum; break;
                case AlertSinkNames.Teams: options.Teams.MinimumSeverity = sinkMinimum; break;
                case AlertSinkNames.Slack: options.Slack.MinimumSeverity = sinkMinimum; break;
                default: options.PagerDuty.MinimumSeverity = sinkMinimum; break;
            }

            var finding = AlertTestData.Finding(severity);
            var notification = action == AlertAction.Resolve ? AlertTestData.Resolve(finding) : AlertTestData.Trigger(finding);

            Assert.True(accepted == Create(sink, Options.Create(options)).Accepts(notification), $"{sink}: expected accepted={accepted}");
        }
    }

    [Fact]
    public void Accepts_OtherSinksMinimum_DoesNotApply()
    {
        var options = new AlertsOptions { MinimumSeverity = FindingSeverity.Warning, Slack = { Url = new Uri("http://127.0.0.1:9/"), MinimumSeverity = FindingSeverity.Info } };

        Assert.False(Create(AlertSinkNames.Teams, Options.Create(options)).Accepts(AlertTestData.Trigger(AlertTestData.Finding(FindingSeverity.Info))));
        Assert.True(Create(AlertSinkNames.Slack, Options.Create(options)).Accepts(AlertTestData.Trigger(AlertTestData.Finding(FindingSeverity.Info))));
    }

    private static HttpAlertSink Create(string sink, IOptions<AlertsOptions> options)
    {
        var http = new NoHttp();
        return sink switch
        {
            AlertSinkNames.Webhook => new WebhookAlertSink(options, http, TimeProvider.System, NullLogger<WebhookAlertSink>.Instance),
            AlertSinkNames.Teams => new TeamsAlertSink(options, http, TimeProvider.System, NullLogger<TeamsAlertSink>.Instance),
            AlertSinkNames.Slack => new SlackAlertSink(options, http, TimeProvider.System, NullLogger<SlackAlertSink>.Instance),
            _ => new PagerDutyAlertSink(options, http, TimeProvider.System, NullLogger<PagerDutyAlertSink>.Instance),
        };
    }

    private sealed class NoHttp : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("no HTTP in this test");
    }
}
