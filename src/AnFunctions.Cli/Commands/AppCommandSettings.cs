using System.ComponentModel;
using AnFunctions.Core.Findings;
using AnFunctions.Api;
using Spectre.Console;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary>Options every command that talks to Azure (or the emulator) shares.</summary>
internal class AppCommandSettings : CommandSettings
{
    [CommandOption("-o|--output <FORMAT>")]
    [Description("table (for people, the default) or json (for scripts).")]
    public string Output { get; init; } = "table";

    [CommandOption("--emulator <SCENARIO>")]
    [Description("Run against the ARM emulator seeded from a scenario file's skus and scaleSets (and its settings and start time) instead of Azure.")]
    public string? Emulator { get; init; }

    [CommandOption("--fail-on <SEVERITY>")]
    [Description("Exit with 1 when an open finding at or above this severity (info, warning, critical) is reported.")]
    public string? FailOn { get; init; }

    public bool Json => Output.Equals("json", StringComparison.OrdinalIgnoreCase);

    public FindingSeverity? FailOnSeverity => FailOn is null ? null : FindingFilters.TryEnum<FindingSeverity>(FailOn, out var s) ? s : null;

    public override ValidationResult Validate()
    {
        if (!Output.Equals("json", StringComparison.OrdinalIgnoreCase) && !Output.Equals("table", StringComparison.OrdinalIgnoreCase))
        {
            return ValidationResult.Error("--output is table or json");
        }

        if (FailOn is not null && FailOnSeverity is null)
        {
            return ValidationResult.Error("--fail-on is info, warning or critical");
        }

        return ValidationResult.Success();
    }
}
