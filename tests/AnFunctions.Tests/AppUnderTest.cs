using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AnFunctions.Tests;

/// <summary>
/// The Functions host's real DI (<see cref="AnFunctionsServiceCollectionExtensions.AddAnFunctions"/>) on the one emulated
/// composition (<see cref="EmulatedAzure.AddAnFunctionsOnEmulator"/>): only the outside world swapped (the ARM emulator
/// behind the real Azure SDK, a fake clock, a fake log collector), settings validated as the host validates at start.
/// </summary>
internal sealed class AppUnderTest : IAsyncDisposable
{
    public const string Subscription = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    private AppUnderTest(ServiceProvider services, ArmEmulator emulator, FakeTimeProvider time, FakeLogCollector logs)
    {
        Services = services;
        Emulator = emulator;
        Time = time;
        Logs = logs;
    }

    public ServiceProvider Services { get; }
    public ArmEmulator Emulator { get; }
    public FakeTimeProvider Time { get; }
    public FakeLogCollector Logs { get; }

    public static AppUnderTest Create(
        IDictionary<string, string?>? settings = null,
        DateTimeOffset? now = null,
        ArmEmulator? emulator = null,
        VirtualClock? clock = null,
        Action<IServiceCollection>? configure = null)
    {
        // A virtual clock: the app's waits (retries, the wait for a write's outcome) pass at once and move the clock.
        var time = clock ?? new VirtualClock(now ?? new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));
        emulator ??= new ArmEmulator(time);
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            // The endpoints' own tests call them as a local run would; the role checks have their own tests (Http/AuthorizationTests).
            ["Auth:Enabled"] = "false",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddAnFunctionsOnEmulator(emulator, time, values, (s, configuration) => s.AddAnFunctions(configuration));
        configure?.Invoke(services);
        return new AppUnderTest(services.BuildValidated(), emulator, time, logs);
    }

    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(Services);

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
