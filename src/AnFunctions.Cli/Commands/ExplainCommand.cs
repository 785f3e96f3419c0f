using System.ComponentModel;
using AnFunctions.Core.Explain;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary><c>an explain &lt;resourceId&gt;</c>: why a pool is as it is, and what the app would do now (reads only).</summary>
internal sealed class ExplainCommand(CliContext cli) : AppCommand<ExplainCommand.Settings>(cli)
{
    public sealed class Settings : AppCommandSettings
    {
        [CommandArgument(0, "<resourceId>")]
        [Description("The scale set's ARM id.")]
        public string ResourceId { get; init; } = string.Empty;
    }

    protected override async Task<int> RunAsync(IServiceProvider services, Settings settings, CancellationToken cancellationToken)
    {
        var id = ScaleSetInScope(services, settings.ResourceId);
        var result = await services.GetRequiredService<PoolExplainer>().ExplainAsync(id, cancellationToken).ConfigureAwait(false);
        if (result.Explanation is not { } x)
        {
            throw new UsageException($"no scale set {id.Value} in ARM");
        }

        if (settings.Json)
        {
            await WriteJsonAsync(x).ConfigureAwait(false);
            return ExitFor(settings, x.OpenFindings);
        }

        var console = Console;
        console.Write(KeyValues(
            ("pool", x.ResourceId), ("region", x.Location), ("size(s)", x.VmSizes), ("capacity", x.Capacity), ("created", x.TimeCreated),
            ("AN support", x.Support), ("SKU list read", x.SkuListReadAt), ("AN on every NIC", x.AcceleratedNetworkingOnAll),
            ("new pool", x.Decision.IsNewPool), ("decision now", $"{x.Decision.Outcome} ({x.Decision.Reason})"), ("why", x.Decision.Explanation),
            ("in scope", x.Scope.InScope), ("opted out", x.Scope.OptedOut ? $"yes ({x.Scope.OptOutTag}={x.Scope.OptOutTagValue})" : "no"),
            ("record", x.Record is null ? "none" : $"first seen {Format(x.Record.FirstSeen)}, AN at creation {Format(x.Record.AcceleratedNetworkingAtCreation)}, enabled by the app {Format(x.Record.EnabledByApp)}")));
        console.Write(Rows(["VM size", "AN", "evidence"], x.Sizes.Select(s => new object?[] { s.VmSize, s.Verdict, s.Evidence })));
        console.Write(Rows(["NIC configuration", "primary", "AN"], x.NetworkInterfaces.Select(n => new object?[] { n.Name, n.Primary, n.AcceleratedNetworking })));
        if (x.RecentDecisions.Count > 0)
        {
            console.Write(Rows(["at", "trigger", "outcome", "reason"], x.RecentDecisions.Select(d => new object?[] { d.At, d.Trigger, d.Outcome, d.Reason })));
        }

        if (x.OpenFindings.Count > 0)
        {
            console.Write(Rows(["finding", "severity", "kind", "message"], x.OpenFindings.Select(f => new object?[] { f.Id, f.Severity, f.Kind, f.Message })));
        }

        return ExitFor(settings, x.OpenFindings);
    }
}
