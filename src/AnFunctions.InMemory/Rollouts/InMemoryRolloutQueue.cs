using AnFunctions.Core.Rollouts;
using AnFunctions.InMemory.Queues;

namespace AnFunctions.InMemory.Rollouts;

/// <summary>The rollout queue of <c>simulate</c>, the CLI and tests: see <see cref="InMemoryWorkQueue"/>.</summary>
public sealed class InMemoryRolloutQueue(RolloutRunner runner) : InMemoryWorkQueue, IRolloutQueue
{
    public Task EnqueueAsync(RolloutMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(message.ToJson(), cancellationToken);
    }

    protected override Task RunAsync(string message, CancellationToken cancellationToken) =>
        runner.RunMessageAsync(message, cancellationToken);
}
