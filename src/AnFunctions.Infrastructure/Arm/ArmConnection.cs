using AnFunctions.Core.Options;
using AnFunctions.Core.Telemetry;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Arm;

/// <summary>
/// The app's one connection to ARM: an <see cref="ArmClient"/> for the SDK's typed calls and an HTTP pipeline (same
/// transport, credential, retry policy and timeout) for the calls the SDK 1.2.0 cannot make as the app needs them:
/// the raw PATCH that preserves every NIC field, and the Activity Log (the Monitor package is not served here).
/// </summary>
public sealed class ArmConnection
{
    /// <summary>The scale set api-version: new enough for <c>timeCreated</c> and <c>skuProfile</c>.</summary>
    public const string ScaleSetApiVersion = "2024-11-01";

    /// <param name="time">The clock retries wait on (the app's; the system clock when not given).</param>
    public ArmConnection(TokenCredential credential, HttpPipelineTransport transport, IOptions<ArmOptions> options, AnMetrics? metrics = null, TimeProvider? time = null)
    {
        var settings = options.Value;
        time ??= TimeProvider.System;
        Settings = settings;
        Endpoint = settings.Endpoint;
        OperationTimeout = settings.OperationTimeout;
        var armOptions = new ArmClientOptions
        {
            Environment = new ArmEnvironment(settings.Endpoint, settings.Audience),
            Transport = transport,
        };
        Configure(armOptions, settings, metrics, time);
        armOptions.SetApiVersion(VirtualMachineScaleSetResource.ResourceType, ScaleSetApiVersion);
        Client = new ArmClient(credential, defaultSubscriptionId: null, armOptions);

        var restOptions = new RestOptions { Transport = transport };
        Configure(restOptions, settings, metrics, time);
        var scope = settings.Audience.TrimEnd('/') + "/.default";
        Pipeline = HttpPipelineBuilder.Build(restOptions, new BearerTokenAuthenticationPolicy(credential, scope));
    }

    public ArmClient Client { get; }

    public HttpPipeline Pipeline { get; }

    public Uri Endpoint { get; }

    /// <summary>The <c>Arm</c> settings this connection was built with.</summary>
    public ArmOptions Settings { get; }

    /// <summary>How long the app waits for a long-running operation it started (an instance action) to finish.</summary>
    public TimeSpan OperationTimeout { get; }

    public Uri UriFor(string path, string apiVersion, string? query = null)
    {
        var builder = new UriBuilder(new Uri(Endpoint, path))
        {
            Query = $"api-version={Uri.EscapeDataString(apiVersion)}" + (query is null ? string.Empty : "&" + query),
        };
        return builder.Uri;
    }

    private static void Configure(ClientOptions options, ArmOptions settings, AnMetrics? metrics, TimeProvider time)
    {
        // Throttling (429 with Retry-After), 408 and 5xx are retried a few times within one call, never past what an
        // Event Grid delivery may spend (ArmRetryPolicy); beyond that the failure is classified as transient and the
        // event is redelivered by Event Grid.
        options.Retry.MaxRetries = settings.MaxRetries;
        options.Retry.NetworkTimeout = settings.Timeout;
        options.RetryPolicy = new ArmRetryPolicy(settings, time);
        options.Diagnostics.IsLoggingContentEnabled = false;
        options.AddPolicy(new ArmCallMeterPolicy(metrics), HttpPipelinePosition.PerRetry);
    }

    private sealed class RestOptions : ClientOptions;
}
