using AnFunctions.Core;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Options;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Cli.Simulation;

/// <summary>
/// The CLI's composition root for emulated runs: the same Core and adapters as the Functions host, with the real
/// Azure SDK pointed at the in-process ARM emulator, the in-memory state store, and the scenario's clock.
/// </summary>
internal static class EmulatedAzure
{
    public static ServiceProvider BuildServices(ArmEmulator emulator, TimeProvider time, IReadOnlyDictionary<string, string> settings, ILoggerFactory loggerFactory)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["State:Store"] = nameof(StateStoreKind.InMemory),
            ["Arm:Endpoint"] = ArmEmulator.BaseAddress,
            ["Arm:Audience"] = ArmEmulator.Audience,
            ["Arm:MaxRetries"] = "0",
            // One subscription at a time: a scenario's result must not depend on which parallel audit wrote first.
            ["Audit:SubscriptionConcurrency"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(loggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddSingleton(time);
        services.AddSingleton<TokenCredential>(new StaticTokenCredential());
        services.AddSingleton<HttpPipelineTransport>(new HttpClientTransport(new HttpClient(emulator.CreateHandler(), disposeHandler: true)));
        services.AddAnFunctionsCore().AddAnFunctionsInfrastructure(configuration);

        // On-call, in a simulation, is a recorder: no configured sink is ever called.
        services.RemoveAll<IAlertSink>();
        services.RemoveAll<IEnumerable<IAlertSink>>();
        services.AddSingleton<RecordingAlertSink>();
        services.AddSingleton<IAlertSink>(sp => sp.GetRequiredService<RecordingAlertSink>());
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        ValidateOptions(provider);
        return provider;
    }

    /// <summary>Runs the same validation that <c>ValidateOnStart</c> runs in the host, so bad settings stop the run.</summary>
    private static void ValidateOptions(IServiceProvider provider)
    {
        _ = provider.GetRequiredService<IOptions<AcceleratedNetworkingOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<ArmOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<StateOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<AlertsOptions>>().Value;
    }

    /// <summary>The emulator accepts any bearer token; no credential is ever looked up.</summary>
    private sealed class StaticTokenCredential : TokenCredential
    {
        private static readonly AccessToken Token = new("emulator-token", DateTimeOffset.MaxValue);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => Token;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(Token);
    }
}
