namespace AnFunctions.Core.ActivityLog;

/// <summary>A failed or cancelled ARM operation as the Activity Log holds it.</summary>
/// <param name="RequestBody">The request body when the log has it (only some providers record it); raw JSON.</param>
public sealed record FailedOperation(
    string CorrelationId,
    string ResourceId,
    string? OperationName,
    string? Status,
    string? ErrorCode,
    string? ErrorMessage,
    string? RequestBody,
    DateTimeOffset? EventTimestamp);

/// <summary>Port: the Activity Log of a subscription.</summary>
public interface IActivityLog
{
    /// <summary>The failed write with this correlation id; null when the log has nothing (yet: it lags).</summary>
    Task<FailedOperation?> FindFailedWriteAsync(string subscriptionId, string correlationId, DateTimeOffset around, CancellationToken cancellationToken);
}
