using AnFunctions.Cli.Simulation;
using AnFunctions.Core;
using AnFunctions.Core.Options;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Cli;

/// <summary>
/// The app's services for one CLI command: against the emulator seeded from a scenario (<c>--emulator</c>), or against
/// Azure with <c>DefaultAzureCredential</c> and the settings from environment variables (<c>State__Store</c>, ...).
/// </summary>
internal static class CliServices
{
    public static async Task<ServiceProvider> BuildAsync(string? scenarioPath, CliContext cli)
    {
        if (scenarioPath is not null)
        {
            var scenario = ScenarioLoader.Load(scenarioPath);
            var time = new VirtualClock(scenario.Start);
            var emulator = new ArmEmulator(time);
            emulator.SetSkus(scenario.Skus.Select(s => s.DeepClone().AsObject()));
            foreach (var scaleSet in scenario.ScaleSets)
            {
                emulator.PutScaleSet(scaleSet.DeepClone().AsObject());
            }

            try
            {
                return EmulatedAzure.BuildServices(emulator, time, scenario.Settings, cli.LoggerFactory);
            }
            catch (OptionsValidationException e)
            {
                throw new ScenarioException(Path.GetFileName(scenarioPath), "settings", string.Join("; ", e.Failures));
            }
        }

        var builder = new ConfigurationBuilder().AddEnvironmentVariables();
        var configuration = builder.Build();
        if (!HasStateStore(configuration))
        {
            await cli.Error.WriteLineAsync("note: no state store configured (State__Store, State__ConnectionString, State__TableServiceUri or AzureWebJobsStorage): using an in-memory store; pool records and findings of this run are not kept").ConfigureAwait(false);
            configuration = builder.AddInMemoryCollection(new Dictionary<string, string?> { ["State:Store"] = nameof(StateStoreKind.InMemory) }).Build();
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(cli.LoggerFactory);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        services.AddAnFunctionsCore().AddAnFunctionsInfrastructure(configuration);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        _ = provider.GetRequiredService<IOptions<AcceleratedNetworkingOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<ArmOptions>>().Value;
        _ = provider.GetRequiredService<IOptions<StateOptions>>().Value;
        return provider;
    }

    private static bool HasStateStore(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["State:Store"])
        || !string.IsNullOrWhiteSpace(configuration["State:ConnectionString"])
        || !string.IsNullOrWhiteSpace(configuration["State:TableServiceUri"])
        || !string.IsNullOrWhiteSpace(configuration["AzureWebJobsStorage"])
        || !string.IsNullOrWhiteSpace(configuration["AzureWebJobsStorage:accountName"]);
}
