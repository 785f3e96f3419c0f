using AnFunctions.Core.Alerts;
using AnFunctions.Core.Options;
using AnFunctions.Infrastructure.Alerts;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class AlertSinkServiceCollectionExtensions
{
    private const string HttpClientPrefix = "AnFunctions.Alerts.";

    /// <summary>The name of a sink's <see cref="HttpClient"/> in <see cref="IHttpClientFactory"/>.</summary>
    public static string HttpClientName(string sink) => HttpClientPrefix + sink;

    /// <summary>
    /// Registers the four sinks (singletons), one named <see cref="HttpClient"/> per sink, and
    /// <see cref="AlertSinkSet"/>: the sinks enabled by <see cref="AlertsOptions"/> (a URL or a routing key set), read
    /// when the set is first resolved. <c>IEnumerable&lt;IAlertSink&gt;</c> resolves to that set, not to every
    /// registration of <see cref="IAlertSink"/>: a sink without its secret is never offered a notification.
    /// <para>
    /// The HTTP clients have the factory's request logging removed (it writes the request URI, and a webhook URL is a
    /// secret), follow no redirects (a 307 would re-post the alert elsewhere), and no client-level timeout: each
    /// delivery has its own, <see cref="AlertsOptions.DeliveryTimeout"/>.
    /// </para>
    /// Binding and validating <see cref="AlertsOptions"/> (section <c>Alerts</c>) is left to the host.
    /// </summary>
    public static IServiceCollection AddAlertSinks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<AlertsOptions>();
        services.TryAddSingleton(TimeProvider.System);

        foreach (var sink in AlertSinkNames.All)
        {
            services.AddHttpClient(HttpClientName(sink), client =>
                {
                    client.Timeout = Timeout.InfiniteTimeSpan;
                    client.DefaultRequestHeaders.UserAgent.ParseAdd("AnFunctions-Alerts/1.0");
                })
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    ConnectTimeout = TimeSpan.FromSeconds(30),
                })
                .RemoveAllLoggers();
        }

        services.TryAddSingleton<WebhookAlertSink>();
        services.TryAddSingleton<TeamsAlertSink>();
        services.TryAddSingleton<SlackAlertSink>();
        services.TryAddSingleton<PagerDutyAlertSink>();
        services.TryAddSingleton(sp => new AlertSinkSet(
            [
                sp.GetRequiredService<WebhookAlertSink>(),
                sp.GetRequiredService<TeamsAlertSink>(),
                sp.GetRequiredService<SlackAlertSink>(),
                sp.GetRequiredService<PagerDutyAlertSink>(),
            ],
            sp.GetRequiredService<Logging.ILogger<AlertSinkSet>>()));

        // An exact registration of IEnumerable<T> wins over the container's own "every registration of T".
        services.RemoveAll<IEnumerable<IAlertSink>>();
        services.AddSingleton<IEnumerable<IAlertSink>>(sp => sp.GetRequiredService<AlertSinkSet>());
        return services;
    }
}
