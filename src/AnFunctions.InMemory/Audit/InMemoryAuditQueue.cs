using AnFunctions.Core.Audit;
using AnFunctions.InMemory.Queues;

namespace AnFunctions.InMemory.Audit;

/// <summary>The audit queue of <c>simulate</c>, the CLI and tests: see <see cref="InMemoryWorkQueue"/>.</summary>
public sealed class InMemoryAuditQueue(QueuedAuditRunner runner) : InMemoryWorkQueue, IAuditQueue
{
    public Task EnqueueAsync(AuditRunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return SendAsync(message.ToJson(), cancellationToken);
    }

    protected override Task RunAsync(string message, CancellationToken cancellationToken) =>
        runner.RunAsync(message, cancellationToken);
}
