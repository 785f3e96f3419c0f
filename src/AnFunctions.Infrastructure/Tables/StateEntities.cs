using System.Text.Json;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.InMemory.State;
using Azure.Data.Tables;
using static AnFunctions.Infrastructure.Tables.EntityColumns;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Maps the state records to <see cref="TableEntity"/> and back. Every entity keeps the original values (ids, event
/// ids) in columns of their own; keys are never parsed back. Nulls are not written (a replace removes them). Dates are
/// <c>Edm.DateTime</c>, which is UTC: they come back as the same instant with a zero offset. Enums are stored by name,
/// lists as a JSON array string.
/// </summary>
internal static class StateEntities
{
    /// <summary>
    /// One Table string property holds at most 64 KiB (32,768 UTF-16 chars). A <see cref="DecisionRecord.WriteBody"/>
    /// longer than that is split over <c>WriteBody</c>, <c>WriteBody1</c>, <c>WriteBody2</c>... (chunks of at most
    /// this many chars, never splitting a surrogate pair), so the body sent to ARM is kept exactly up to
    /// <see cref="StateLimits.MaxWriteBodyLength"/> chars (512 KiB, well within the 1 MiB entity limit); beyond that it
    /// is cut with a marker by <see cref="StateLimits.Truncate"/>, as the in-memory store does.
    /// </summary>
    internal const int ChunkLength = EntityColumns.ChunkLength;

    private const string WriteBodyColumn = "WriteBody";

    public static TableEntity FromPool(PoolRecord record)
    {
        var entity = new TableEntity(TableKeys.PoolPartition(record.Id), TableKeys.PoolRow(record.Id))
        {
            ["Id"] = record.Id.Value,
            ["Location"] = StateLimits.Truncate(record.Location, StateLimits.MaxTextLength),
            ["VmSizes"] = JsonSerializer.Serialize(record.VmSizes.ToArray()),
            ["AcceleratedNetworking"] = record.AcceleratedNetworking,
            ["FirstSeen"] = record.FirstSeen,
            ["LastSeen"] = record.LastSeen,
            ["EnabledByApp"] = record.EnabledByApp,
            ["Status"] = record.Status.ToString(),
        };
        SetIfNotNull(entity, "AcceleratedNetworkingAtCreation", record.AcceleratedNetworkingAtCreation);
        SetIfNotNull(entity, "TimeCreated", record.TimeCreated);
        SetIfNotNull(entity, "EnabledAt", record.EnabledAt);
        SetIfNotNull(entity, "InstancesNotOnLatestModel", record.InstancesNotOnLatestModel);
        if (record.Instances is { } nodes)
        {
            entity["InstancesTotal"] = nodes.Total;
            entity["InstancesRunning"] = nodes.Running;
            entity["InstancesWithAn"] = nodes.AcceleratedNetworking;
            entity["InstancesOnLatestModel"] = nodes.OnLatestModel;
            entity["InstancesProtected"] = nodes.Protected;
        }

        SetIfNotNull(entity, "InstancesCheckedAt", record.InstancesCheckedAt);
        SetIfNotNull(entity, "DeletedAt", record.DeletedAt);
        if (record.PendingWrite is { } pending)
        {
            // The app's own write not concluded yet: columns of their own, written in the same entity (one save).
            entity["PendingWriteId"] = pending.Id;
            entity["PendingWriteStartedAt"] = pending.StartedAt;
            entity["PendingWriteAttempt"] = pending.Attempt;
            entity["PendingWriteState"] = pending.State.ToString();
            SetIfNotNull(entity, "PendingWriteOperation", StateLimits.TruncateOrNull(pending.OperationUrl, StateLimits.MaxTextLength));
            SetIfNotNull(entity, "PendingWriteAcceptedAt", pending.AcceptedAt);
            SetIfNotNull(entity, "PendingWriteErrorCode", StateLimits.TruncateOrNull(pending.ErrorCode, StateLimits.MaxTextLength));
            SetIfNotNull(entity, "PendingWriteErrorMessage", StateLimits.TruncateOrNull(pending.ErrorMessage, StateLimits.MaxTextLength));
        }

        return entity;
    }

    private static PendingWrite? ToPendingWrite(TableEntity entity) => entity.GetString("PendingWriteId") is { } id
        ? new PendingWrite
        {
            Id = id,
            StartedAt = RequiredDate(entity, "PendingWriteStartedAt"),
            Attempt = entity.GetInt32("PendingWriteAttempt") ?? throw Corrupt(entity, "has no PendingWriteAttempt"),
            State = ParseEnum<PendingWriteState>(entity, "PendingWriteState"),
            OperationUrl = entity.GetString("PendingWriteOperation"),
            AcceptedAt = entity.GetDateTimeOffset("PendingWriteAcceptedAt"),
            ErrorCode = entity.GetString("PendingWriteErrorCode"),
            ErrorMessage = entity.GetString("PendingWriteErrorMessage"),
        }
        : null;

    public static PoolRecord ToPool(TableEntity entity, string? version) => new()
    {
        Id = ScaleSetId.Parse(Required(entity, "Id")),
        Location = Required(entity, "Location"),
        VmSizes = ReadList(entity, "VmSizes"),
        AcceleratedNetworkingAtCreation = entity.GetBoolean("AcceleratedNetworkingAtCreation"),
        AcceleratedNetworking = entity.GetBoolean("AcceleratedNetworking") ?? false,
        TimeCreated = entity.GetDateTimeOffset("TimeCreated"),
        FirstSeen = RequiredDate(entity, "FirstSeen"),
        LastSeen = RequiredDate(entity, "LastSeen"),
        EnabledByApp = entity.GetBoolean("EnabledByApp") ?? false,
        EnabledAt = entity.GetDateTimeOffset("EnabledAt"),
        InstancesNotOnLatestModel = entity.GetInt64("InstancesNotOnLatestModel"),
        Instances = entity.GetInt32("InstancesTotal") is { } total
            ? new InstanceCounts(total, entity.GetInt32("InstancesRunning") ?? 0, entity.GetInt32("InstancesWithAn") ?? 0,
                entity.GetInt32("InstancesOnLatestModel") ?? 0, entity.GetInt32("InstancesProtected") ?? 0)
            : null,
        InstancesCheckedAt = entity.GetDateTimeOffset("InstancesCheckedAt"),
        Status = ParseEnum<PoolStatus>(entity, "Status"),
        DeletedAt = entity.GetDateTimeOffset("DeletedAt"),
        PendingWrite = ToPendingWrite(entity),
        Version = version,
    };

    /// <summary>
    /// A handled event: in the partition of the pool its subject names (pools table), or, for a subject that names no
    /// scale set, in the events table (<paramref name="pool"/> null).
    /// </summary>
    public static TableEntity FromProcessedEvent(ProcessedEvent processed, ScaleSetId? pool) =>
        new(pool is null ? TableKeys.EventPartition(processed.EventId) : TableKeys.PoolPartition(pool),
            pool is null ? TableKeys.EventRow(processed.EventId) : TableKeys.ProcessedRow(processed.EventId))
        {
            ["EventId"] = StateLimits.Truncate(processed.EventId, StateLimits.MaxTextLength),
            ["EventType"] = StateLimits.Truncate(processed.EventType, StateLimits.MaxTextLength),
            ["Subject"] = StateLimits.Truncate(processed.Subject, StateLimits.MaxTextLength),
            ["ProcessedAt"] = processed.ProcessedAt,
            ["Outcome"] = StateLimits.Truncate(processed.Outcome, StateLimits.MaxTextLength),
        };

    /// <param name="eventId">The id looked up (the stored column may be cut; the key is exact).</param>
    public static ProcessedEvent ToProcessedEvent(TableEntity entity, string eventId) => new(
        eventId,
        Required(entity, "EventType"),
        Required(entity, "Subject"),
        RequiredDate(entity, "ProcessedAt"),
        Required(entity, "Outcome"));

    /// <summary>A decision, in its pool's subscription partition of the pools table.</summary>
    public static TableEntity FromDecision(DecisionRecord decision, string suffix)
    {
        var entity = new TableEntity(TableKeys.PoolPartition(decision.PoolId), TableKeys.PoolDecisionRow(decision.PoolId, decision.At, suffix))
        {
            ["PoolId"] = decision.PoolId.Value,
            ["At"] = decision.At,
            ["Outcome"] = decision.Outcome.ToString(),
            ["Reason"] = decision.Reason.ToString(),
            ["Explanation"] = StateLimits.Truncate(decision.Explanation, StateLimits.MaxTextLength),
            ["Trigger"] = StateLimits.Truncate(decision.Trigger, StateLimits.MaxTextLength),
            ["VmSizes"] = JsonSerializer.Serialize(decision.VmSizes.ToArray()),
        };
        SetIfNotNull(entity, "EventId", StateLimits.TruncateOrNull(decision.EventId, StateLimits.MaxTextLength));
        if (decision.WriteBody is not null)
        {
            EntityColumns.SetSplit(entity, WriteBodyColumn, StateLimits.Truncate(decision.WriteBody, StateLimits.MaxWriteBodyLength));
        }

        return entity;
    }

    public static DecisionRecord ToDecision(TableEntity entity) => new()
    {
        PoolId = ScaleSetId.Parse(Required(entity, "PoolId")),
        At = RequiredDate(entity, "At"),
        Outcome = ParseEnum<DecisionOutcome>(entity, "Outcome"),
        Reason = ParseEnum<DecisionReason>(entity, "Reason"),
        Explanation = Required(entity, "Explanation"),
        Trigger = Required(entity, "Trigger"),
        EventId = entity.GetString("EventId"),
        VmSizes = ReadList(entity, "VmSizes"),
        WriteBody = Join(entity, WriteBodyColumn),
    };

    public static TableEntity FromRejectedEvent(RejectedEvent rejected, string suffix) =>
        new(TableKeys.RejectedPartition(rejected.RejectedAt), TableKeys.RejectedRow(rejected.EventId, suffix))
        {
            ["EventId"] = StateLimits.Truncate(rejected.EventId, StateLimits.MaxTextLength),
            ["Reason"] = StateLimits.Truncate(rejected.Reason, StateLimits.MaxTextLength),
            ["Excerpt"] = StateLimits.Truncate(rejected.Excerpt, StateLimits.MaxTextLength),
            ["RejectedAt"] = rejected.RejectedAt,
        };

    public static RejectedEvent ToRejectedEvent(TableEntity entity) => new(
        Required(entity, "EventId"),
        Required(entity, "Reason"),
        Required(entity, "Excerpt"),
        RequiredDate(entity, "RejectedAt"));
}
