using AnFunctions.Core.Alerts;
using AnFunctions.Core.Options;
using AnFunctions.Infrastructure.Alerts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AnFunctions.Infrastructure.Tests.Alerts;

/// <summary>
/// The sinks as the app gets them: <c>AddAlertSinks</c> on a service collection, with every log line (the HTTP client
/// factory's included, at Trace) going to a <see cref="FakeLogCollector"/>.
/// </summary>
internal sealed class SinkHarness : IDisposable
{
    public const string RoutingKey = "R0UT1NGKEY0123456789abcdefABCDEF";

    private readonly ServiceProvider _provider;

    public SinkHarness(Action<AlertsOptions> configure, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(Logs)));
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.Configure(configure);
        services.AddAlertSinks();
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeLogCollector Logs { get; } = new();

    public IServiceProvider Services => _provider;

    public AlertSinkSet Set => _provider.GetRequiredService<AlertSinkSet>();

    public IAlertSink Sink(string name) => Set.Find(name) ?? throw new InvalidOperationException($"sink {name} is not enabled");

    /// <summary>A harness with only the named sink enabled, pointed at <paramref name="receiver"/> (path <c>/{sink}/hook</c>).</summary>
    public static SinkHarness For(string sink, AlertReceiver receiver, Action<AlertsOptions>? configure = null, TimeProvider? time = null) =>
        For(sink, receiver.Url($"/{sink}/hook"), configure, time);

    public static SinkHarness For(string sink, Uri endpoint, Action<AlertsOptions>? configure = null, TimeProvider? time = null) => new(o =>
    {
        o.DeliveryTimeout = TimeSpan.FromSeconds(5);
        o.MinimumSeverity = Core.Findings.FindingSeverity.Info;
        Point(o, sink, endpoint);
        configure?.Invoke(o);
    }, time);

    public static void Point(AlertsOptions options, string sink, Uri endpoint)
    {
        switch (sink)
        {
            case AlertSinkNames.Webhook:
                options.Webhook.Url = endpoint;
                break;
            case AlertSinkNames.Teams:
                options.Teams.Url = endpoint;
                break;
            case AlertSinkNames.Slack:
                options.Slack.Url = endpoint;
                break;
            case AlertSinkNames.PagerDuty:
                options.PagerDuty.RoutingKey = RoutingKey;
                options.PagerDuty.EventsUrl = endpoint;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(sink), sink, "unknown sink");
        }
    }

    public void Dispose() => _provider.Dispose();
}
