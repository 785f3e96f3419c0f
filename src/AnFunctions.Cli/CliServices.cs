using AnFunctions.Cli.Commands;
using AnFunctions.Cli.Simulation;
using AnFunctions.Core;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure;
using AnFunctions.Infrastructure.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
                return SimulatedApp.Build(emulator, time, scenario.Settings, cli.LoggerFactory);
            }
            catch (Exception e) when (SimulatedApp.SettingsFailures(e) is { } failures)
            {
                throw new ScenarioException(Path.GetFileName(scenarioPath), "settings", string.Join("; ", failures));
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
        try
        {
            // Validated as the host validates at start: every options class registered with ValidateOnStart.
            return services.BuildValidated();
        }
        catch (Exception e) when (SimulatedApp.SettingsFailures(e) is { } failures)
        {
            // One message naming every wrong key, of one options class or several.
            throw new UsageException(string.Join("; ", failures));
        }
    }

    private static bool HasStateStore(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["State:Store"])
        || !string.IsNullOrWhiteSpace(configuration["State:ConnectionString"])
        || !string.IsNullOrWhiteSpace(configuration["State:TableServiceUri"])
        || !string.IsNullOrWhiteSpace(configuration["AzureWebJobsStorage"])
        || !string.IsNullOrWhiteSpace(configuration["AzureWebJobsStorage:accountName"]);
}
