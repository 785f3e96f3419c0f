using AnFunctions.Core.Decisions;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Core.Logging;

/// <summary>
/// Every log line the app writes, source-generated, with stable event ids and names so that alerts and queries can
/// rely on them. Values that come from outside (event ids, resource ids) are logged as structured values only.
/// </summary>
public static partial class Log
{
    // 1000-1099: event intake
    [LoggerMessage(1000, LogLevel.Information, "Delivery of {EventCount} event(s) received ({UnreadableCount} unreadable)", EventName = "DeliveryReceived")]
    public static partial void DeliveryReceived(ILogger logger, int eventCount, int unreadableCount);

    [LoggerMessage(1001, LogLevel.Warning, "Event {EventId} rejected and kept in the rejected-events table: {Reason}", EventName = "EventRejected")]
    public static partial void EventRejected(ILogger logger, string eventId, string reason);

    [LoggerMessage(1002, LogLevel.Debug, "Event {EventId} of type {EventType} for operation {OperationName} ignored: {Reason}", EventName = "EventIgnored")]
    public static partial void EventIgnored(ILogger logger, string eventId, string eventType, string? operationName, string reason);

    [LoggerMessage(1003, LogLevel.Information, "Event {EventId} already processed at {ProcessedAt} ({Outcome}): duplicate delivery skipped", EventName = "DuplicateEventSkipped")]
    public static partial void DuplicateEventSkipped(ILogger logger, string eventId, DateTimeOffset processedAt, string outcome);

    [LoggerMessage(1004, LogLevel.Warning, "Event {EventId} for {ResourceId} failed transiently and will be redelivered: {Error}", EventName = "EventTransientFailure")]
    public static partial void EventTransientFailure(ILogger logger, string eventId, string resourceId, string error);

    [LoggerMessage(1005, LogLevel.Information, "Event {EventId} ({EventKind}) for {ResourceId} recorded", EventName = "EventRecorded")]
    public static partial void EventRecorded(ILogger logger, string eventId, string eventKind, string resourceId);

    [LoggerMessage(1006, LogLevel.Information, "Event {EventId} done ({Disposition}): {ArmCalls} ARM call(s), {TableCalls} Table round trip(s)", EventName = "EventCompleted")]
    public static partial void EventCompleted(ILogger logger, string eventId, Events.EventDisposition disposition, int armCalls, int tableCalls);

    // 1100-1199: decisions and writes
    [LoggerMessage(1100, LogLevel.Information, "Decision for {ResourceId}: {Outcome} ({Reason}): {Explanation}", EventName = "DecisionMade")]
    public static partial void DecisionMade(ILogger logger, string resourceId, DecisionOutcome outcome, DecisionReason reason, string explanation);

    [LoggerMessage(1101, LogLevel.Warning, "Accelerated networking enabled on {ResourceId}; {InstanceCount} existing instance(s) are not on the new model yet", EventName = "AcceleratedNetworkingEnabled")]
    public static partial void AcceleratedNetworkingEnabled(ILogger logger, string resourceId, long instanceCount);

    [LoggerMessage(1102, LogLevel.Information, "Write to {ResourceId} lost a race (HTTP 412 on If-Match): re-reading and deciding again (attempt {Attempt})", EventName = "WritePreconditionFailed")]
    public static partial void WritePreconditionFailed(ILogger logger, string resourceId, int attempt);

    [LoggerMessage(1103, LogLevel.Information, "Scale set {ResourceId} no longer exists in ARM", EventName = "ScaleSetGone")]
    public static partial void ScaleSetGone(ILogger logger, string resourceId);

    [LoggerMessage(1104, LogLevel.Information, "Pool record of {ResourceId} changed concurrently: re-reading (attempt {Attempt})", EventName = "PoolRecordConflict")]
    public static partial void PoolRecordConflict(ILogger logger, string resourceId, int attempt);

    [LoggerMessage(1105, LogLevel.Information, "Pool {ResourceId} deleted: record closed", EventName = "PoolClosed")]
    public static partial void PoolClosed(ILogger logger, string resourceId);

    [LoggerMessage(1106, LogLevel.Information, "The app's write to {ResourceId} (attempt {Attempt}): {Progress} {ErrorCode}", EventName = "WriteOutcome")]
    public static partial void WriteOutcome(ILogger logger, string resourceId, int attempt, Decisions.WriteProgress progress, string? errorCode);

    [LoggerMessage(1107, LogLevel.Warning, "Enabling AN on {ResourceId} failed for good after {Attempt} attempt(s): {ErrorCode} {ErrorMessage}", EventName = "WriteFailedForGood")]
    public static partial void WriteFailedForGood(ILogger logger, string resourceId, int attempt, string? errorCode, string? errorMessage);

    // 1200-1299: SKU catalog
    [LoggerMessage(1200, LogLevel.Information, "Read {SizeCount} VM sizes for subscription {SubscriptionId} in {Location}", EventName = "SkuCatalogRead")]
    public static partial void SkuCatalogRead(ILogger logger, int sizeCount, string subscriptionId, string location);

    // 1600-1699: manual runs (HTTP functions, CLI)
    [LoggerMessage(1600, LogLevel.Information, "Audit {RunId} queued by {Trigger} (dry-run {DryRun})", EventName = "AuditQueued")]
    public static partial void AuditQueued(ILogger logger, string runId, string trigger, bool dryRun);

    [LoggerMessage(1601, LogLevel.Warning, "A queue message of {Length} characters is not an audit run: refused", EventName = "AuditMessageRefused")]
    public static partial void AuditMessageRefused(ILogger logger, int length);

    [LoggerMessage(1602, LogLevel.Information, "Audit {RunId} already ran ({Status}): the redelivered message is ignored", EventName = "AuditAlreadyRun")]
    public static partial void AuditAlreadyRun(ILogger logger, string runId, Audit.AuditRunStatus status);

    [LoggerMessage(1108, LogLevel.Warning, "AcceleratedNetworking:RolloutNewPools is on, but no rollout was started for {ResourceId}: {Reason}", EventName = "NewPoolRolloutNotStarted")]
    public static partial void NewPoolRolloutNotStarted(ILogger logger, string resourceId, string reason);

    [LoggerMessage(1109, LogLevel.Information, "The index row of {ResourceId} is read again from ARM: {Reason}", EventName = "IndexedRowConfirmed")]
    public static partial void IndexedRowConfirmed(ILogger logger, string resourceId, string reason);
}
