using System.ComponentModel;
using System.Text;
using AnFunctions.Api.Report;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Fleet;
using AnFunctions.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary>
/// <c>an report [--html FILE]</c>: the fleet at a glance from the state store (pool records, findings, audit runs),
/// as the page <c>GET /api/report</c> serves. With <c>--emulator</c> the state starts empty, so the emulated fleet is
/// audited first.
/// </summary>
internal sealed class ReportCommand(CliContext cli) : AppCommand<ReportCommand.Settings>(cli)
{
    public sealed class Settings : AppCommandSettings
    {
        [CommandOption("--html <FILE>")]
        [Description("Write the report as one self-contained HTML page (no script, nothing fetched) to this file.")]
        public string? Html { get; init; }

        public override ValidationResult Validate()
        {
            if (Html is { } path && (string.IsNullOrWhiteSpace(path) || Directory.Exists(path)))
            {
                return ValidationResult.Error("--html needs a file path");
            }

            return base.Validate();
        }
    }

    protected override async Task<int> RunAsync(IServiceProvider services, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Emulator is not null)
        {
            await Cli.Error.WriteLineAsync("emulator: the state starts empty; auditing the emulated fleet first...").ConfigureAwait(false);
            var run = await services.GetRequiredService<FleetAudit>().RunAsync(new AuditRequest("cli"), cancellationToken).ConfigureAwait(false);
            await Cli.Error.WriteLineAsync($"emulator: audit {run.RunId} {run.Status}: {run.PoolsSeen} pools, {run.FindingsOpenedCount} findings opened").ConfigureAwait(false);
        }

        var report = await services.GetRequiredService<FleetObserver>().ObserveAsync(cancellationToken).ConfigureAwait(false);
        if (settings.Html is { } path)
        {
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full);
            if (directory is not null && !Directory.Exists(directory))
            {
                throw new UsageException($"--html: folder {directory} does not exist");
            }

            await File.WriteAllTextAsync(full, FleetReportPage.Render(report), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            await Cli.Error.WriteLineAsync($"report written to {full}").ConfigureAwait(false);
        }

        if (settings.Json)
        {
            await WriteJsonAsync(report).ConfigureAwait(false);
        }
        else
        {
            var totals = report.Totals;
            Console.Write(KeyValues(
                ("AN coverage", $"{totals.CoveragePercent:0}% ({totals.WithAcceleratedNetworking} of {totals.Pools} pools)"),
                ("eligible without AN", totals.EligibleWithoutAcceleratedNetworking),
                ("nodes without AN", totals.NodesWithoutAcceleratedNetworking),
                ("mixed pools", report.MixedPools.Count),
                ("open findings", report.OpenFindingsTotal),
                ("last audit", report.LastAudits.FirstOrDefault() is { } last ? $"{last.RunId} {last.Status}" : "none")));
            Console.Write(Rows(["subscription", "pools", "with AN", "coverage"], report.BySubscription.Select(r => new object?[] { r.Key, r.Pools, r.WithAcceleratedNetworking, $"{r.CoveragePercent:0}%" })));
        }

        return ExitFor(settings, report.OpenFindings.Count == 0 ? [] : await OpenFindingsAsync(services, report, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<List<Core.Findings.Finding>> OpenFindingsAsync(IServiceProvider services, FleetReport report, CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<Core.Findings.IFindingStore>();
        var open = new List<Core.Findings.Finding>();
        foreach (var item in report.OpenFindings)
        {
            if (await store.GetAsync(item.Id, cancellationToken).ConfigureAwait(false) is { } finding)
            {
                open.Add(finding);
            }
        }

        return open;
    }
}
