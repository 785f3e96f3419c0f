using System.Text.Json;
using System.Text.Json.Serialization;
using AnFunctions.Core.Logging;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>The audit queue of <c>simulate</c>, the CLI and tests: see <see cref="Queues.InMemoryWorkQueue"/>.</summary>
public sealed class InMemoryAuditQueue(IServiceProvider services) : Queues.InMemoryWorkQueue(services), IAuditQueue
{
    public Task EnqueueAsync(AuditRunMessage message, CancellationToken cancellationToken) => SendAsync(message.ToJson(), cancellationToken);

    protected override Task RunAsync(IServiceProvider services, string message, CancellationToken cancellationToken) =>
        Required<QueuedAuditRunner>(services).RunAsync(message, cancellationToken);
}
