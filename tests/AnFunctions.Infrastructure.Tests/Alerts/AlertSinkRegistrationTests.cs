using AnFunctions.Core.Alerts;
using AnFunctions.Infrastructure.Alerts;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary><c>AddAlertSinks</c>: <c>IEnumerable&lt;IAlertSink&gt;</c> is the enabled sinks only, decided from the options.</summary>
public sealed class AlertSinkRegistrationTests
{
    private static readonly Uri Somewhere = new("http://127.0.0.1:9/hook");

    [Fact]
    public void AddAlertSinks_NothingConfigured_ResolvesNoSinkAndWarns()
    {
        using var harness = new SinkHarness(_ => { });

        Assert.Empty(harness.Services.GetRequiredService<IEnumerable<IAlertSink>>());
        Assert.Empty(harness.Set);
        Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1506);
    }

    [Fact]
    public void AddAlertSinks_EverythingConfigured_ResolvesFourSinksInStableOrder()
    {
        using var harness = new SinkHarness(o =>
        {
            foreach (var sink in AlertSinkNames.All)
            {
                SinkHarness.Point(o, sink, Somewhere);
            }
        });

        var sinks = harness.Services.GetRequiredService<IEnumerable<IAlertSink>>().ToList();

        Assert.Equal(["webhook", "teams", "slack", "pagerduty"], sinks.Select(s => s.Name));
        Assert.IsType<WebhookAlertSink>(sinks[0]);
        Assert.IsType<TeamsAlertSink>(sinks[1]);
        Assert.IsType<SlackAlertSink>(sinks[2]);
        Assert.IsType<PagerDutyAlertSink>(sinks[3]);
        var log = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Id == 1505);
        Assert.Equal("webhook, teams, slack, pagerduty", log.GetStructuredStateValue("Sinks"));
    }

    [Fact]
    public void AddAlertSinks_SlackAndPagerDutyOnly_ResolvesThoseTwoAsSingletons()
    {
        using var harness = new SinkHarness(o =>
        {
            o.Slack.Url = Somewhere;
            o.PagerDuty.RoutingKey = SinkHarness.RoutingKey;
        });

        var first = harness.Services.GetRequiredService<IEnumerable<IAlertSink>>().ToList();
        var second = harness.Services.GetRequiredService<IEnumerable<IAlertSink>>().ToList();

        Assert.Equal(["slack", "pagerduty"], first.Select(s => s.Name));
        Assert.Equal(first, second);
        Assert.Same(harness.Services.GetRequiredService<SlackAlertSink>(), first[0]);
        Assert.Same(harness.Set.Find("pagerduty"), first[1]);
        Assert.Null(harness.Set.Find("teams"));
    }

    [Fact]
    public void AddAlertSinks_PagerDutyEventsUrlWithoutRoutingKey_IsNotEnabled()
    {
        using var harness = new SinkHarness(o => o.PagerDuty.EventsUrl = Somewhere);

        Assert.Empty(harness.Set);
    }

    [Fact]
    public void AddAlertSinks_RoutingKeyWithBlankEventsUrl_EnablesPagerDutyOnItsDocumentedEndpoint()
    {
        using var harness = new SinkHarness(o =>
        {
            o.PagerDuty.RoutingKey = SinkHarness.RoutingKey;
            o.PagerDuty.EventsUrl = null;
        });

        Assert.Equal(["pagerduty"], harness.Set.Select(s => s.Name));
        Assert.Equal("https://events.pagerduty.com/v2/enqueue", PagerDutyAlertSink.DefaultEventsUrl.AbsoluteUri);
    }

    [Fact]
    public void AddAlertSinks_HttpClients_HaveNoClientTimeoutAndAUserAgent()
    {
        using var harness = new SinkHarness(_ => { });
        var factory = harness.Services.GetRequiredService<IHttpClientFactory>();

        foreach (var sink in AlertSinkNames.All)
        {
            using var client = factory.CreateClient(AlertSinkServiceCollectionExtensions.HttpClientName(sink));
            Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
            Assert.Contains("AnFunctions-Alerts", client.DefaultRequestHeaders.UserAgent.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AddAlertSinks_CalledTwice_StillResolvesEachEnabledSinkOnce()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.Configure<Core.Options.AlertsOptions>(o => o.Webhook.Url = Somewhere);
        services.AddAlertSinks();
        services.AddAlertSinks();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(["webhook"], provider.GetRequiredService<IEnumerable<IAlertSink>>().Select(s => s.Name));
    }
}
