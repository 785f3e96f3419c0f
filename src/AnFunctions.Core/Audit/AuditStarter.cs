using System.Text.Json;
using System.Text.Json.Serialization;
using AnFunctions.Core.Logging;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>
/// Starts audits that may outlive the request that asked for them: records the run as queued (so its status URL
/// answers at once) and enqueues it.
/// </summary>
public sealed class AuditStarter(IAuditQueue queue, IAuditRunStore runs, IOptionsMonitor<AcceleratedNetworkingOptions> options, TimeProvider time, ILogger<AuditStarter> logger)
{
    /// <summary>Checks the scope of a request before anything is queued: an out-of-scope subscription is refused.</summary>
    public bool IsInScope(string? subscriptionId) => subscriptionId is null || options.CurrentValue.IsInScope(subscriptionId);

    public async Task<AuditRun> StartAsync(string trigger, string? subscriptionId, string? resourceGroup, bool dryRun, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var message = new AuditRunMessage(AuditRun.NewId(now), trigger, subscriptionId?.ToLowerInvariant(), resourceGroup, dryRun, now);
        var run = new AuditRun
        {
            RunId = message.RunId,
            Trigger = trigger,
            Started = now,
            Status = AuditRunStatus.Queued,
            SubscriptionFilter = message.SubscriptionId,
            ResourceGroupFilter = resourceGroup,
            DryRun = dryRun,
        };
        await runs.SaveAsync(run, cancellationToken).ConfigureAwait(false);
        await queue.EnqueueAsync(message, cancellationToken).ConfigureAwait(false);
        Log.AuditQueued(logger, run.RunId, trigger, dryRun);
        return await runs.GetAsync(run.RunId, cancellationToken).ConfigureAwait(false) ?? run;
    }
}
