using AnFunctions.Core.Audit;
using AnFunctions.Core.Telemetry;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>
/// Runs an audit queued by <c>POST /api/audits</c> (Storage queue <c>audit-runs</c>; the host retries and then moves
/// poison messages aside, so failures propagate).
/// </summary>
public sealed class RunQueuedAuditFunction(QueuedAuditRunner runner, FleetObserver observer)
{
    public const string Name = "RunQueuedAudit";

    [Function(Name)]
    public async Task RunAsync([QueueTrigger(AuditRunMessage.QueueName)] string message, CancellationToken cancellationToken)
    {
        var run = await runner.RunAsync(message, cancellationToken).ConfigureAwait(false);
        if (run is not null)
        {
            await observer.AuditFinishedAsync(run, cancellationToken).ConfigureAwait(false);
        }
    }
}
