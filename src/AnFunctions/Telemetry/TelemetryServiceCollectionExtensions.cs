using AnFunctions.Core.Telemetry;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AnFunctions.Telemetry;

/// <summary>
/// The worker's telemetry: OpenTelemetry with the Azure Monitor exporter, on when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c>
/// is set (the deployment sets it; local runs and tests without it export nothing and keep the host's log relay).
/// <list type="bullet">
/// <item>Traces: each invocation's span (the worker's <c>Microsoft.Azure.Functions.Worker</c> source, child of the host's
/// trace context), the Azure SDK's ARM and Table Storage calls (<c>Azure.*</c> sources) and the alert sinks' HTTP
/// calls as its children, so logs and dependencies correlate with the invocation. Secrets are redacted by
/// <see cref="SecretRedactingProcessor"/> before export.</item>
/// <item>Logs: exported by the worker itself (capability <c>WorkerOpenTelemetryEnabled</c>: the host no longer relays
/// them) with their structured properties; <b>never sampled</b>: trace-based log sampling is off, so a
/// <c>FindingOpened</c> line always reaches the alert rule whatever happens to its trace.</item>
/// <item>Metrics: the meter <see cref="AnMetrics.MeterName"/> (aggregated in the process, never sampled).</item>
/// </list>
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string WorkerActivitySource = "Microsoft.Azure.Functions.Worker";

    /// <summary>True when the deployment gave the app an Application Insights connection string.</summary>
    public static bool IsEnabled(IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration[ConnectionStringSetting]);

    public static IServiceCollection AddAnFunctionsTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<SecretRedactor>();
        services.AddSingleton<SecretRedactingProcessor>();
        if (!IsEnabled(configuration))
        {
            return services;
        }

        // The Azure SDK creates its spans only with this switch (the Azure Monitor distro sets it too).
        AppContext.SetSwitch("Azure.Experimental.EnableActivitySource", true);
        var telemetry = services.AddOpenTelemetry().UseFunctionsWorkerDefaults();
        ConfigureSignals(telemetry);
        telemetry.UseAzureMonitorExporter();

        // The component accepts Entra ID only (APPLICATIONINSIGHTS_AUTHENTICATION_STRING): export with the app's identity.
        services.AddOptions<AzureMonitorExporterOptions>().Configure<TokenCredential>((options, credential) =>
        {
            options.Credential = credential;
            options.EnableTraceBasedLogsSampler = false;
        });
        return services;
    }

    /// <summary>Sources, instrumentation, the redaction and the meter: everything but the exporter (tests add their own).</summary>
    public static IOpenTelemetryBuilder ConfigureSignals(IOpenTelemetryBuilder telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        telemetry.WithTracing(tracing => tracing
            .AddSource(WorkerActivitySource)
            .AddSource("Azure.*")
            // HttpClient spans for the alert sinks; the Azure SDK's own HTTP spans already cover ARM and Tables.
            .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = _ => System.Diagnostics.Activity.Current?.Source.Name is not "Azure.Core.Http")
            .AddProcessor(sp => sp.GetRequiredService<SecretRedactingProcessor>()));
        telemetry.WithMetrics(metrics => metrics.AddMeter(AnMetrics.MeterName));
        return telemetry;
    }
}
