using AnFunctions.Emulation;
using AnFunctions.Emulator;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.ResourceManager;

namespace AnFunctions.Infrastructure.Tests.Emulator;

/// <summary>
/// Builds the real Azure SDK's <see cref="ArmClient"/> against an <see cref="ArmEmulator"/>: the emulator's endpoint,
/// an in-memory transport and the emulator's credential (<see cref="EmulatorCredential"/>). Retries are off unless asked for, so call counts are exact.
/// </summary>
public static class EmulatorArm
{
    public static ArmClientOptions CreateOptions(ArmEmulator emulator, int maxRetries = 0)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        var options = new ArmClientOptions
        {
            Environment = new ArmEnvironment(ArmEmulator.BaseUri, ArmEmulator.Audience),
            Transport = new HttpClientTransport(emulator.CreateHandler()),
        };
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(10);
        return options;
    }

    /// <param name="configure">Changes the options before the client is built (add policies, api-versions, timeouts).</param>
    public static ArmClient CreateClient(ArmEmulator emulator, int maxRetries = 0, Action<ArmClientOptions>? configure = null)
    {
        var options = CreateOptions(emulator, maxRetries);
        configure?.Invoke(options);
        return new ArmClient(EmulatorCredential.Instance, defaultSubscriptionId: null, options);
    }

    /// <summary>A plain <see cref="HttpClient"/> on the emulator, for checking raw URLs and JSON.</summary>
    public static HttpClient CreateHttpClient(ArmEmulator emulator)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        return new HttpClient(emulator.CreateHandler()) { BaseAddress = ArmEmulator.BaseUri };
    }
}

/// <summary>Adds <c>If-Match</c> to writes while <see cref="ETag"/> is set (the SDK 1.2.0 has no parameter for it).</summary>
public sealed class IfMatchPolicy : HttpPipelineSynchronousPolicy
{
    public string? ETag { get; set; }

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (ETag is not null && message.Request.Method != RequestMethod.Get)
        {
            message.Request.Headers.SetValue("If-Match", ETag);
        }
    }
}
