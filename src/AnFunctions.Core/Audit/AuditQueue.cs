using System.Text.Json;
using System.Text.Json.Serialization;
using AnFunctions.Core.Logging;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>
/// One queued audit run: what the caller asked for and the run id it was promised. The message is JSON, small and
/// versionless on purpose: unknown fields are ignored, so a newer sender does not break an older worker.
/// </summary>
public sealed record AuditRunMessage(
    [property: JsonPropertyName("runId")] string RunId,
    [property: JsonPropertyName("trigger")] string Trigger,
    [property: JsonPropertyName("subscriptionId")] string? SubscriptionId,
    [property: JsonPropertyName("resourceGroup")] string? ResourceGroup,
    [property: JsonPropertyName("dryRun")] bool DryRun,
    [property: JsonPropertyName("requestedAt")] DateTimeOffset RequestedAt)
{
    /// <summary>The Storage queue the queue-triggered function listens on.</summary>
    public const string QueueName = "audit-runs";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses a message; null when it is not one (a poison message is refused, never half-run).</summary>
    public static AuditRunMessage? TryParse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json.Length > 16 * 1024)
        {
            return null;
        }

        try
        {
            var message = JsonSerializer.Deserialize<AuditRunMessage>(json, Json);
            return message is not null && AuditRun.IsValidId(message.RunId) && !string.IsNullOrWhiteSpace(message.Trigger) ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public AuditRequest ToRequest() => new(Trigger, SubscriptionId, ResourceGroup, DryRun, RunId);
}

/// <summary>Port: hands a queued audit run to whatever runs it (a Storage queue in Azure; in-process elsewhere).</summary>
public interface IAuditQueue
{
    Task EnqueueAsync(AuditRunMessage message, CancellationToken cancellationToken);
}

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

/// <summary>
/// Runs one queued audit. At-least-once delivery: a run already finished is not run again, and a message that is
/// not an audit run is refused (the host moves it to the poison queue after its retries).
/// </summary>
public sealed class QueuedAuditRunner(FleetAudit audit, IAuditRunStore runs, ILogger<QueuedAuditRunner> logger)
{
    public async Task<AuditRun?> RunAsync(string message, CancellationToken cancellationToken)
    {
        var parsed = AuditRunMessage.TryParse(message);
        if (parsed is null)
        {
            Log.AuditMessageRefused(logger, message.Length);
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

/// <summary>The audit queue of <c>simulate</c>, the CLI and tests: see <see cref="Queues.InMemoryWorkQueue"/>.</summary>
public sealed class InMemoryAuditQueue(IServiceProvider services) : Queues.InMemoryWorkQueue(services), IAuditQueue
{
    public Task EnqueueAsync(AuditRunMessage message, CancellationToken cancellationToken) => SendAsync(message.ToJson(), cancellationToken);

    protected override Task RunAsync(IServiceProvider services, string message, CancellationToken cancellationToken) =>
        Required<QueuedAuditRunner>(services).RunAsync(message, cancellationToken);
}
