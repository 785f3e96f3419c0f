using System.ComponentModel;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Api;
using AnFunctions.Cli.Progress;
using AnFunctions.Core.ScaleSets;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary><c>an audit [--subscription ..] [--resource-group ..] [--dry-run]</c>: run the fleet audit now, in this process.</summary>
internal sealed class AuditCommand(CliContext cli) : AppCommand<AuditCommand.Settings>(cli)
{
    public sealed class Settings : AppCommandSettings
    {
        [CommandOption("--subscription <ID>")]
        [Description("Audit one subscription (else every subscription in scope).")]
        public string? Subscription { get; init; }

        [CommandOption("--resource-group <NAME>")]
        [Description("Audit one resource group.")]
        public string? ResourceGroup { get; init; }

        [CommandOption("--dry-run")]
        [Description("Decide and report; write nothing to ARM and record nothing.")]
        public bool DryRun { get; init; }
    }

    protected override async Task<int> RunAsync(IServiceProvider services, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Subscription is not null && !RequestReader.IsValidSubscriptionId(settings.Subscription))
        {
            throw new UsageException("--subscription must be a subscription id (GUID)");
        }

        if (settings.ResourceGroup is not null && !RequestReader.IsValidResourceGroup(settings.ResourceGroup))
        {
            throw new UsageException("--resource-group is not a valid resource group name");
        }

        if (!services.GetRequiredService<AuditStarter>().IsInScope(settings.Subscription))
        {
            throw new UsageException($"subscription {settings.Subscription} is not in AcceleratedNetworking:Subscriptions");
        }

        await Cli.Error.WriteLineAsync($"auditing {settings.Subscription ?? "every subscription in scope"}{(settings.ResourceGroup is null ? string.Empty : "/" + settings.ResourceGroup)}{(settings.DryRun ? " (dry-run)" : string.Empty)}...").ConfigureAwait(false);
        // The app's audit, whose scale set listing also feeds the progress (live on a terminal, else a line per subscription).
        var progress = AuditProgress.For(Cli);
        var audit = ActivatorUtilities.CreateInstance<FleetAudit>(services,
            new ProgressScaleSetClient(services.GetRequiredService<IScaleSetClient>(), progress, settings.ResourceGroup));
        var request = new AuditRequest("cli", settings.Subscription?.ToLowerInvariant(), settings.ResourceGroup, settings.DryRun);
        var run = await progress.RunAsync(() => audit.RunAsync(request, cancellationToken)).ConfigureAwait(false);
        foreach (var subscription in run.Subscriptions.Where(s => s.Error is not null))
        {
            await Cli.Error.WriteLineAsync($"  {subscription.SubscriptionId}: error: {subscription.Error}").ConfigureAwait(false);
        }

        if (settings.Json)
        {
            await WriteJsonAsync(run).ConfigureAwait(false);
        }
        else
        {
            Console.Write(KeyValues(
                ("run", run.RunId), ("status", run.Status), ("dry-run", run.DryRun), ("pools seen", run.PoolsSeen), ("recorded", run.PoolsRecorded),
                ("closed", run.PoolsClosed), ("AN writes", run.Writes), ("findings opened", run.FindingsOpenedCount), ("findings resolved", run.FindingsResolvedCount),
                ("ARM calls", run.ArmCalls.Values.Sum())));
            Console.Write(Rows(["subscription", "pools", "result"], run.Subscriptions.Select(s => new object?[] { s.SubscriptionId, s.Pools, s.Error ?? "ok" })));
        }

        if (run.Status is AuditRunStatus.Failed or AuditRunStatus.CompletedWithErrors)
        {
            await Cli.Error.WriteLineAsync($"error: Azure: the audit had {run.Errors.Count} error(s)").ConfigureAwait(false);
            return ExitCodes.AzureError;
        }

        var open = new List<Finding>();
        await foreach (var finding in services.GetRequiredService<IFindingStore>()
            .ListAsync(new FindingQuery(FindingStatus.Open, SubscriptionId: settings.Subscription?.ToLowerInvariant()), cancellationToken).ConfigureAwait(false))
        {
            open.Add(finding);
        }

        return ExitFor(settings, open);
    }
}
