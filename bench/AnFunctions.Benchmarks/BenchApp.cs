using AnFunctions.Core;
using AnFunctions.Core.Events;
using AnFunctions.Core.Options;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure;
using AnFunctions.Infrastructure.Tables;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AnFunctions.Benchmarks;

/// <summary>
/// The app's real composition (<c>AddAnFunctionsCore().AddAnFunctionsInfrastructure(config)</c>, with the in-memory
/// stores or the Table stores on Azurite: <see cref="BenchStore"/>) with only the outside world swapped: the real Azure
/// SDK talks to an in-process <see cref="ArmEmulator"/>, and the credential is a dummy. Logging has no provider, so the figures are the app's, not a log sink's.
/// </summary>
internal sealed class BenchApp : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private BenchApp(ServiceProvider services, ArmEmulator emulator)
    {
        _services = services;
        Emulator = emulator;
        Processor = services.GetRequiredService<EventDeliveryProcessor>();
    }

    public ArmEmulator Emulator { get; }

    /// <summary>What the Event Grid function calls with each delivery.</summary>
    public EventDeliveryProcessor Processor { get; }

    public IServiceProvider Services => _services;

    public static BenchApp Create(IReadOnlyDictionary<string, string?>? settings = null, BenchStore? store = null, ArmEmulator? emulator = null)
    {
        // The request log is for debugging; a benchmark that keeps 100,000 lines measures the log.
        // The benchmarks measure the app's own cost: ARM does not throttle them, and a write's operation reports its
        // outcome on the first poll (the app then never waits for it in real time).
        emulator ??= new ArmEmulator { RequestLogLimit = 0, Throttling = ArmThrottling.Off, OperationPollsInProgress = 0 };
        store ??= BenchStore.InMemory;
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["State:Store"] = store.IsTable ? nameof(StateStoreKind.Table) : nameof(StateStoreKind.InMemory),
                ["State:ConnectionString"] = store.ConnectionString,
                ["State:TablePrefix"] = store.TablePrefix ?? "an",
                ["Arm:Endpoint"] = ArmEmulator.BaseAddress,
                ["Arm:Audience"] = ArmEmulator.Audience,
                ["Arm:MaxRetries"] = "0",
            })
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?>())
            .Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<TokenCredential>(new DummyCredential());
        services.AddSingleton<HttpPipelineTransport>(new HttpClientTransport(new HttpClient(emulator.CreateHandler(), disposeHandler: true)));
        if (store.TableLatency > TimeSpan.Zero)
        {
            services.AddKeyedSingleton<HttpPipelinePolicy>(TableServiceClientFactory.PolicyKey, new LatencyPolicy(store.TableLatency));
        }

        services.AddAnFunctionsCore().AddAnFunctionsInfrastructure(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        // What ValidateOnStart does in the host: a bad setting stops the run here rather than mid-measurement.
        _ = provider.GetRequiredService<IOptions<AcceleratedNetworkingOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<ArmOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<StateOptions>>().Value;
        return new BenchApp(provider, emulator);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    private sealed class DummyCredential : TokenCredential
    {
        private static readonly AccessToken Token = new("bench-token", DateTimeOffset.MaxValue);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => Token;

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(Token);
    }
}
