using System.ComponentModel;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Api;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary><c>an reconcile &lt;resourceId&gt; [--dry-run]</c>: rerun one pool's decision, as an event would.</summary>
internal sealed class ReconcileCommand(CliContext cli) : AppCommand<ReconcileCommand.Settings>(cli)
{
    public sealed class Settings : AppCommandSettings
    {
        [CommandArgument(0, "<resourceId>")]
        [Description("The scale set's ARM id.")]
        public string ResourceId { get; init; } = string.Empty;

        [CommandOption("--dry-run")]
        [Description("Decide and print the planned write; send nothing, record no pool.")]
        public bool DryRun { get; init; }
    }

    protected override async Task<int> RunAsync(IServiceProvider services, Settings settings, CancellationToken cancellationToken)
    {
        var id = ScaleSetInScope(services, settings.ResourceId);
        var result = await services.GetRequiredService<PoolReconciler>()
            .ReconcileAsync(new ReconcileRequest(id, ReconcileTrigger.Cli, Mode: RunModes.Requested(settings.DryRun)), cancellationToken).ConfigureAwait(false);
        if (result.Decision.Reason == DecisionReason.ScaleSetGone)
        {
            throw new UsageException($"no scale set {id.Value} in ARM");
        }

        var view = ApiViews.Reconcile(result);
        if (settings.Json)
        {
            await WriteJsonAsync(view).ConfigureAwait(false);
        }
        else
        {
            Console.Write(KeyValues(
                ("pool", view.ResourceId), ("dry-run", view.DryRun), ("outcome", view.Outcome), ("reason", view.Reason), ("why", view.Explanation),
                ("new pool", view.IsNewPool), ("write", view.Write is null ? "none" : $"{view.Write.Method} {(view.WriteSent ? "sent" : "not sent")}"),
                ("findings opened", view.FindingsOpened), ("findings resolved", view.FindingsResolved)));
            if (view.Write?.Body is { } body)
            {
                await Cli.Out.WriteLineAsync(body.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true })).ConfigureAwait(false);
            }
        }

        var open = await services.GetRequiredService<IFindingStore>().ListForPoolAsync(id, cancellationToken).ConfigureAwait(false);
        return ExitFor(settings, open);
    }
}
