using System.ComponentModel;
using System.Text.Encodings.Web;
using System.Text.Json;
using AnFunctions.Cli.Simulation;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary>
/// <c>an simulate &lt;scenario.json&gt;</c>: replays a scenario offline and prints one JSON document on standard output.
/// Diagnostics go to standard error. Exit codes: 0 done, 2 invalid scenario, 3 the run failed.
/// </summary>
internal sealed class SimulateCommand(CliContext cli) : AsyncCommand<SimulateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<scenario>")]
        [Description("The scenario file (JSON), as docs/SCENARIOS.md describes it.")]
        public string Scenario { get; init; } = string.Empty;
    }

    internal static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Scenario scenario;
        try
        {
            scenario = ScenarioLoader.Load(settings.Scenario);
            var result = await ScenarioRunner.RunAsync(scenario, Path.GetFileName(settings.Scenario), cli.LoggerFactory, cancellationToken).ConfigureAwait(false);
            await cli.Out.WriteLineAsync(JsonSerializer.Serialize(result, Output)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (ScenarioException e)
        {
            await cli.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (IOException e)
        {
            await cli.Error.WriteLineAsync($"error: {settings.Scenario}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A failure of the app itself while replaying (never of the scenario): say so, print nothing on stdout.
            await cli.Error.WriteLineAsync($"error: the simulation of {settings.Scenario} failed: {e}").ConfigureAwait(false);
            return ExitCodes.AzureError;
        }
    }
}
