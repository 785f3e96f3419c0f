using System.Text.Json;
using System.Text.Json.Serialization;
using AnFunctions.Core.Logging;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>
/// Runs one queued audit. At-least-once delivery: a run already finished is not run again, and a message that is
/// not an audit run is refused (the host moves it to the poison queue after its retries).
/// </summary>
public sealed class QueuedAuditRunner(FleetAudit audit, IAuditRunStore runs, ILogger<QueuedAuditRunner> logger)
{
    public async Task<AuditRun?> RunAsync(string? message, CancellationToken cancellationToken)
    {
        var parsed = AuditRunMessage.TryParse(message);
        if (parsed is null)
        {
            // An empty or absent message body is refused like any other message that is not an audit run.
            Log.AuditMessageRefused(logger, message?.Length ?? 0);
            throw new FormatException("the queue message is not an audit run (runId, trigger, subscriptionId?, resourceGroup?, dryRun)");
        }

        var existing = await runs.GetAsync(parsed.RunId, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.Status is not AuditRunStatus.Queued and not AuditRunStatus.Running)
        {
            Log.AuditAlreadyRun(logger, parsed.RunId, existing.Status);
            return existing;
        }

        return await audit.RunAsync(parsed.ToRequest(), cancellationToken).ConfigureAwait(false);
    }
}
