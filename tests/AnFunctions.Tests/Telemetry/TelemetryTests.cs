using System.Diagnostics;
using AnFunctions.Core.Options;
using AnFunctions.Hosting;
using AnFunctions.Telemetry;
using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AnFunctions.Tests.Telemetry;

/// <summary>
/// The worker's telemetry: secrets never leave in spans (the alert sinks' real HTTP calls, through the app's own
/// pipeline), and the Azure Monitor export is on exactly when the deployment gives a connection string, with logs
/// exempt from sampling and the app's identity as credential.
/// </summary>
public sealed class TelemetryTests
{
    private const string SlackUrl = "http://127.0.0.1:9/services/T0AAAAAAA/B0BBBBBBB/s3cr3tSlackToken00000000";
    private const string TeamsUrl = "https://contoso.webhook.office.com/webhookb2/6f1d-team/IncomingWebhook/abcdef0123456789/9f8e-secret?sig=xyz";
    private const string RoutingKey = "R0UT1NGKEY0123456789abcdefABCDEF";

    private static IOptions<AlertsOptions> Alerts() => Options.Create(new AlertsOptions
    {
        Slack = { Url = new Uri(SlackUrl) },
        Teams = { Url = new Uri(TeamsUrl) },
        PagerDuty = { RoutingKey = RoutingKey },
    });

    public static TheoryData<string, string> Texts => new()
    {
        { SlackUrl, "http://127.0.0.1:9/[redacted]" },
        { "POST /services/T0AAAAAAA/B0BBBBBBB/s3cr3tSlackToken00000000", "POST /[redacted]" },
        { TeamsUrl, "https://contoso.webhook.office.com/[redacted]" },
        { "/webhookb2/6f1d-team/IncomingWebhook/abcdef0123456789/9f8e-secret", "/[redacted]" },
        { $$"""{"routing_key":"{{RoutingKey}}"}""", """{"routing_key":"[redacted]"}""" },
        { "https://management.azure.com/subscriptions/x", "https://management.azure.com/subscriptions/x" },
    };

    [Theory]
    [MemberData(nameof(Texts))]
    public void Redact_TextWithASinkSecret_KeepsOnlyWhereItWent(string text, string expected)
    {
        Assert.Equal(expected, new SecretRedactor(Alerts()).Redact(text));
    }

    [Fact]
    public async Task Pipeline_AlertSinkHttpCall_IsExportedWithoutItsSecret()
    {
        var exported = new List<Activity>();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(Alerts());
        services.AddAlertSinks();
        services.AddSingleton<SecretRedactor>();
        services.AddSingleton<SecretRedactingProcessor>();
        TelemetryServiceCollectionExtensions.ConfigureSignals(services.AddOpenTelemetry())
            .WithTracing(t => t.AddInMemoryExporter(exported));
        await using var provider = services.BuildServiceProvider();
        var tracer = provider.GetRequiredService<TracerProvider>();

        // The Slack sink's own client, to a closed loopback port: the span is made and ends with the error.
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(AlertSinkServiceCollectionExtensions.HttpClientName("Slack"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync(SlackUrl, new StringContent("{}")));
        tracer.ForceFlush();
        // The HttpClient instrumentation sees every request of the process (other tests run in parallel), and the
        // exporter appends them to the list from their threads: stop it before reading the list.
        tracer.Shutdown();

        // Keep this test's request.
        var span = Assert.Single(exported.ToArray(), a => a.GetTagItem("url.full") is string url && url.StartsWith("http://127.0.0.1:9/", StringComparison.Ordinal));
        Assert.Equal(ActivityKind.Client, span.Kind);
        var text = string.Join("\n", span.TagObjects.Select(t => $"{t.Key}={t.Value}").Prepend(span.DisplayName));
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/services/", text, StringComparison.Ordinal);
        Assert.Equal("http://127.0.0.1:9/[redacted]", span.GetTagItem("url.full"));
        Assert.Equal("127.0.0.1", span.GetTagItem("server.address"));
    }

    [Fact]
    public void Worker_WithoutConnectionString_ExportsNothingAndKeepsTheHostsLogRelay()
    {
        using var provider = Worker(connectionString: null);

        Assert.DoesNotContain("WorkerOpenTelemetryEnabled", provider.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities.Keys);
        Assert.Null(provider.GetService<TracerProvider>());
    }

    [Fact]
    public void Worker_WithConnectionString_ExportsItselfWithLogsNeverSampledAndTheAppsIdentity()
    {
        using var provider = Worker("InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:9/");

        // The host stops relaying the worker's logs: the worker exports them, with their properties.
        Assert.Equal(bool.TrueString, provider.GetRequiredService<IOptions<WorkerOptions>>().Value.Capabilities["WorkerOpenTelemetryEnabled"]);
        var exporter = provider.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().Get(Options.DefaultName);
        Assert.False(exporter.EnableTraceBasedLogsSampler);
        Assert.Same(provider.GetRequiredService<TokenCredential>(), exporter.Credential);
    }

    private static ServiceProvider Worker(string? connectionString)
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [TelemetryServiceCollectionExtensions.ConnectionStringSetting] = connectionString,
            ["State:Store"] = "InMemory",
            ["Audit:Schedule"] = "0 */30 * * * *",
        });
        builder.ConfigureAnFunctions();
        return builder.Services.BuildServiceProvider();
    }
}
