using System.ComponentModel;
using AnFunctions.Api;
using AnFunctions.Core.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace AnFunctions.Cli.Commands;

/// <summary>
/// <c>an rollout &lt;resourceId&gt; [--batch-size N] [--apply]</c>: bring the running nodes of a pool whose model has AN onto
/// it, batch by batch within MaxUnavailable. Without <c>--apply</c> it prints the plan and touches nothing.
/// </summary>
internal sealed class RolloutCommand(CliContext cli) : AppCommand<RolloutCommand.Settings>(cli)
{
    public sealed class Settings : AppCommandSettings
    {
        [CommandArgument(0, "<resourceId>")]
        [Description("The scale set's ARM id.")]
        public string ResourceId { get; init; } = string.Empty;

        [CommandOption("--batch-size <N>")]
        [Description("Nodes per batch (default 1); at most AcceleratedNetworking:MaxUnavailable.")]
        public int BatchSize { get; init; } = 1;

        [CommandOption("--apply")]
        [Description("Record and run the rollout (drain the nodes first: the app cannot). Without it: the plan only.")]
        public bool Apply { get; init; }
    }

    protected override async Task<int> RunAsync(IServiceProvider services, Settings settings, CancellationToken cancellationToken)
    {
        var id = ScaleSetInScope(services, settings.ResourceId);
        if (settings.BatchSize < 1)
        {
            throw new UsageException("--batch-size must be at least 1");
        }

        var start = await services.GetRequiredService<RolloutStarter>()
            .StartAsync(id, settings.BatchSize, dryRun: !settings.Apply, "cli", cancellationToken).ConfigureAwait(false);
        switch (start.Status)
        {
            case RolloutStartStatus.NotFound:
                throw new UsageException($"no scale set {id.Value} in ARM");
            case RolloutStartStatus.OutOfScope:
                throw new UsageException($"subscription {id.SubscriptionId} is not in AcceleratedNetworking:Subscriptions");
            case RolloutStartStatus.Refused:
                throw new UsageException($"rollout refused ({start.Plan!.Refusal}): {start.Plan.Explanation}");
            case RolloutStartStatus.InProgress:
                throw new UsageException($"rollout {start.Rollout!.RolloutId} of this pool is {start.Rollout.Status}: one pool never has two at once");
        }

        // A rollout the in-memory queue ran already is finished; one on a Storage queue runs in the deployed app.
        var rollout = start.Rollout is { } recorded && start.Status == RolloutStartStatus.Accepted
            ? await services.GetRequiredService<IRolloutStore>().GetAsync(recorded.RolloutId, cancellationToken).ConfigureAwait(false) ?? recorded
            : start.Rollout;
        var status = start.Status switch
        {
            RolloutStartStatus.Planned => "planned",
            RolloutStartStatus.NothingToDo => "nothingToDo",
            _ => "accepted",
        };
        var view = new RolloutStartView(status, RolloutsEndpoints.Plan(start.Plan!), rollout is null ? null : RolloutsEndpoints.View(rollout));
        if (settings.Json)
        {
            await WriteJsonAsync(view).ConfigureAwait(false);
        }
        else
        {
            Console.Write(KeyValues(
                ("pool", view.Plan.ResourceId), ("status", rollout?.Status.ToString() ?? status), ("plan", view.Plan.Explanation),
                ("batch size", view.Plan.BatchSize), ("max unavailable", view.Plan.MaxUnavailable), ("nodes down at once", view.Plan.NodesDownAtOnce),
                ("rollout", rollout?.RolloutId), ("error", rollout?.Error)));
            Console.Write(Rows(["batch", "instances", "running now", "step", "error"],
                (rollout?.Batches ?? start.Plan!.Batches).Select(b => new object?[] { b.Index, b.InstanceIds, b.Running, b.Step, b.Error })));
            foreach (var skipped in view.Plan.Skipped)
            {
                await Cli.Error.WriteLineAsync($"left alone: instance {skipped.InstanceId}: {skipped.Reason}").ConfigureAwait(false);
            }
        }

        return rollout?.Status == RolloutStatus.Failed ? ExitCodes.AzureError : ExitCodes.Ok;
    }
}
