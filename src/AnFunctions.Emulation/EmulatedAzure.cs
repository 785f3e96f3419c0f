using AnFunctions.Core;
using AnFunctions.Core.Options;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure;
using AnFunctions.Infrastructure.Tables;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.Emulation;

/// <summary>
/// The one composition of the app on the in-process ARM emulator (the CLI's simulate and emulator runs, the tests,
/// the bench): the app's real composition with only the outside world swapped. Build it with
/// <see cref="StartupValidation.BuildValidated"/>, which validates the settings as the Functions host does at start.
/// </summary>
public static class EmulatedAzure
{
    /// <summary>
    /// What every emulated app starts from: ARM is the emulator (no retries, so call counts are exact), the state is in
    /// memory. The caller's settings override these.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> BaseSettings { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        [$"{StateOptions.Section}:{nameof(StateOptions.Store)}"] = nameof(StateStoreKind.InMemory),
        [$"{ArmOptions.Section}:{nameof(ArmOptions.Endpoint)}"] = ArmEmulator.BaseAddress,
        [$"{ArmOptions.Section}:{nameof(ArmOptions.Audience)}"] = ArmEmulator.Audience,
        [$"{ArmOptions.Section}:{nameof(ArmOptions.MaxRetries)}"] = "0",
    };

    /// <summary>
    /// Registers the app against <paramref name="emulator"/>: its configuration (<see cref="BaseSettings"/>, then
    /// <paramref name="settings"/>), logging, the app's composition, and then the outside world, which replaces whatever
    /// the composition registered for it: <paramref name="time"/> as the clock, <see cref="EmulatorCredential"/> as the
    /// credential and the emulator's handler as the Azure SDK's transport. Register replacements of the app's own
    /// services (an alert sink, a store client) after this call, and build with
    /// <see cref="StartupValidation.BuildValidated"/>.
    /// </summary>
    /// <param name="composition">
    /// The app's composition over the configuration; default <c>AddAnFunctionsCore().AddAnFunctionsInfrastructure(configuration)</c>.
    /// The host's tests pass the Functions host's <c>AddAnFunctions</c>.
    /// </param>
    public static IServiceCollection AddAnFunctionsOnEmulator(
        this IServiceCollection services,
        ArmEmulator emulator,
        TimeProvider time,
        IEnumerable<KeyValuePair<string, string?>>? settings = null,
        Func<IServiceCollection, IConfiguration, IServiceCollection>? composition = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(time);

        var values = new Dictionary<string, string?>(BaseSettings, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        if (composition is null)
        {
            services.AddAnFunctionsCore().AddAnFunctionsInfrastructure(configuration);
        }
        else
        {
            composition(services, configuration);
        }

        services.RemoveAll<TimeProvider>();
        services.AddSingleton(time);
        services.RemoveAll<TokenCredential>();
        services.AddSingleton<TokenCredential>(EmulatorCredential.Instance);
        services.RemoveAll<HttpPipelineTransport>();
        services.AddSingleton<HttpPipelineTransport>(new HttpClientTransport(new HttpClient(emulator.CreateHandler(), disposeHandler: true)));
        return services;
    }
}
