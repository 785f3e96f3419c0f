using AnFunctions.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console.Cli;

namespace AnFunctions.Cli;

/// <summary>The <c>an</c> command line: the second composition root over the same Core as the Functions host.</summary>
internal static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, bool errorIsTerminal = false)
    {
        var verbose = args.Contains("--verbose") || args.Contains("-v");
        args = args.Where(a => a is not "--verbose" and not "-v").ToArray();

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(verbose ? LogLevel.Debug : LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));

        var services = new ServiceCollection();
        services.AddSingleton(new CliContext(stdout, stderr, loggerFactory, errorIsTerminal));

        var app = new CommandApp(new TypeRegistrar(services));
        app.Configure(config =>
        {
            config.SetApplicationName("an");
            // A wrong command line (parse or validation) is a usage error (2); anything else escaping a command is a failure (3).
            config.SetExceptionHandler((exception, _) =>
            {
                stderr.WriteLine($"error: {exception.Message}");
                return exception is CommandAppException ? ExitCodes.Usage : ExitCodes.AzureError;
            });
            config.ConfigureConsole(Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
            {
                Out = new Spectre.Console.AnsiConsoleOutput(stderr),
            }));
            config.AddCommand<SimulateCommand>("simulate")
                .WithDescription("Replay a scenario file offline against the ARM emulator and print what the app did (JSON).")
                .WithExample("simulate", "scenarios/new-pool-gets-an.json");
            config.AddCommand<ExplainCommand>("explain")
                .WithDescription("Why a pool is as it is: sizes, SKU evidence, AN per NIC, new or existing, scope, record, decisions, open findings.")
                .WithExample("explain", "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>", "--output", "json");
            config.AddCommand<ReconcileCommand>("reconcile")
                .WithDescription("Rerun one pool's decision as an event would; --dry-run prints the planned write and sends nothing.")
                .WithExample("reconcile", "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>", "--dry-run");
            config.AddCommand<AuditCommand>("audit")
                .WithDescription("Run the fleet audit now (all subscriptions in scope, one, or one resource group).")
                .WithExample("audit", "--subscription", "<sub>", "--dry-run");
            config.AddCommand<FindingsCommand>("findings")
                .WithDescription("List findings, with filters.")
                .WithExample("findings", "--status", "open", "--severity", "warning", "--fail-on", "critical");
            config.AddCommand<RolloutCommand>("rollout")
                .WithDescription("Bring a pool's running nodes onto its model's AN, batch by batch within MaxUnavailable (deallocate, upgrade, start); without --apply, the plan only.")
                .WithExample("rollout", "/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>", "--batch-size", "1", "--apply");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("The fleet at a glance (AN coverage per subscription, cluster and region, mixed pools, open findings, last audits); --html writes it as one self-contained page.")
                .WithExample("report", "--html", "fleet.html", "--emulator", "scenarios/manual-mixed-pool.json");
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
