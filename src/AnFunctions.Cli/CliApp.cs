using AnFunctions.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console.Cli;

namespace AnFunctions.Cli;

/// <summary>The <c>an</c> command line: the second composition root over the same Core as the Functions host.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var verbose = args.Contains("--verbose") || args.Contains("-v");
        args = args.Where(a => a is not "--verbose" and not "-v").ToArray();

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

        var services = new ServiceCollection();
        services.AddSingleton(new CliContext(stdout, stderr, loggerFactory));

        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("an");
            config.ConfigureConsole(Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            {
                Out = new Spectre.Console.AnsiConsoleOutput(stderr),
            }));
            config.AddCommand<SimulateCommand>("simulate")
                .WithDescription("Replay a scenario file offline against the ARM emulator and print what the app did (JSON).")
                .WithExample("simulate", "scenarios/new-pool-gets-an.json");
        });

        try
        {
            return await app.RunAsync(args).ConfigureAwait(false);
        }
        catch (CommandParseException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
    }
}
