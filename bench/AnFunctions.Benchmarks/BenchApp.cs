using AnFunctions.Core;
using AnFunctions.Core.Events;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure;
using AnFunctions.Infrastructure.Tables;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Benchmarks;

/// <summary>
/// The app's real composition on the one emulated composition (<see cref="EmulatedAzure.AddAnFunctionsOnEmulator"/>, with
/// the in-memory stores or the Table stores on Azurite: <see cref="BenchStore"/>) with only the outside world swapped: the
/// real Azure SDK talks to an in-process <see cref="ArmEmulator"/>, and the credential is the emulator's. Logging has no
/// provider, so the figures are the app's, not a log sink's.
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
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["State:Store"] = store.IsTable ? nameof(StateStoreKind.Table) : nameof(StateStoreKind.InMemory),
            ["State:ConnectionString"] = store.ConnectionString,
            ["State:TablePrefix"] = store.TablePrefix ?? "an",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        if (store.TableLatency > TimeSpan.Zero)
        {
            services.AddKeyedSingleton<HttpPipelinePolicy>(TableServiceClientFactory.PolicyKey, new LatencyPolicy(store.TableLatency));
        }

        // The app's clock is the real one: the figures are of the app's real waits (none, with the emulator's settings above).
        services.AddAnFunctionsOnEmulator(emulator, TimeProvider.System, values);

        // Validated as the host validates at start: a bad setting stops the run here rather than mid-measurement.
        var provider = services.BuildValidated();
        return new BenchApp(provider, emulator);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
