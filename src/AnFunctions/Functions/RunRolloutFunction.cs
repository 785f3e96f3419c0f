using AnFunctions.Core.Rollouts;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>
/// Runs a rollout queued by <c>POST /api/pools/rollout</c> or by the app (Storage queue <c>rollouts</c>). A transient
/// failure propagates, so that the host delivers the message again and the rollout resumes at the step it reached.
/// </summary>
public sealed class RunRolloutFunction(RolloutRunner runner)
{
    public const string Name = "RunRollout";

    [Function(Name)]
    public async Task RunAsync([QueueTrigger(RolloutMessage.QueueName)] string message, CancellationToken cancellationToken) =>
        await runner.RunMessageAsync(message, cancellationToken).ConfigureAwait(false);
}
