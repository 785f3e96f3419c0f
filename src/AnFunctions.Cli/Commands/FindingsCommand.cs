using System.ComponentModel;
using AnFunctions.Core.Findings;
using AnFunctions.Api;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary><c>an findings [--status ..] [--severity ..] [--subscription ..] [--kind ..]</c>: list what the app holds.</summary>
internal sealed class FindingsCommand(CliContext cli) : AppCommand<FindingsCommand.Settings>(cli)
{
    public sealed class Settings : AppCommandSettings
    {
        [CommandOption("--status <STATUS>")]
        [Description("open or resolved (default: both).")]
        public string? Status { get; init; }

        [CommandOption("--severity <SEVERITY>")]
        [Description("info, warning or critical: findings at or above it.")]
        public string? Severity { get; init; }

        [CommandOption("--subscription <ID>")]
        public string? Subscription { get; init; }

        [CommandOption("--kind <KIND>")]
        public string? Kind { get; init; }
    }

    protected override async Task<int> RunAsync(IServiceProvider services, Settings settings, CancellationToken cancellationToken)
    {
        var parsed = FindingFilters.Parse(settings.Status, settings.Severity, settings.Subscription, settings.Kind, pageSize: null, continuation: null);
        if (parsed.Problem is { Body: Problem problem })
        {
            throw new UsageException(problem.Detail);
        }

        var findings = new List<Finding>();
        await foreach (var finding in services.GetRequiredService<IFindingStore>().ListAsync(parsed.Value!.Query, cancellationToken).ConfigureAwait(false))
        {
            findings.Add(finding);
        }

        if (settings.Json)
        {
            await WriteJsonAsync(new { items = findings }).ConfigureAwait(false);
        }
        else if (findings.Count == 0)
        {
            await Cli.Out.WriteLineAsync("no findings").ConfigureAwait(false);
        }
        else
        {
            Console.Write(Rows(["id", "status", "severity", "kind", "pool", "last seen", "message"],
                findings.Select(f => new object?[] { f.Id, f.Status, f.Severity, f.Kind, f.PoolId.Name, f.LastSeen, f.Message })));
        }

        return ExitFor(settings, findings);
    }
}
