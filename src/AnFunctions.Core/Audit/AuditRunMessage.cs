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
