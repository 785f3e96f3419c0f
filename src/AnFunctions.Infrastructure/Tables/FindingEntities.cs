using System.Text.Json;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.InMemory.Findings;
using Azure.Data.Tables;
using static AnFunctions.Infrastructure.Tables.EntityColumns;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Maps findings and outbox entries to <see cref="TableEntity"/> and back (keys: see <see cref="TableKeys"/>). What is
/// filtered on has a column of its own: <c>Id</c>, <c>Subscription</c>, <c>Kind</c>, <c>Severity</c>, <c>Status</c>
/// of a finding; <c>FindingId</c>, <c>Status</c>, <c>NextAttemptAt</c> of an entry. The evidence and the notification
/// are <see cref="FindingJson"/> text in columns that are split like every long text (see
/// <see cref="EntityColumns.SetSplit"/>), so that no property exceeds the Table limit whatever the content. Values
/// written are normalized by <see cref="FindingLimits"/> first (the store's job). Nulls are not written; dates are
/// <c>Edm.DateTime</c> (UTC); enums by name.
/// </summary>
internal static class FindingEntities
{
    public static TableEntity FromFinding(Finding finding)
    {
        var entity = new TableEntity(TableKeys.FindingPartition(finding.PoolId), TableKeys.FindingRow(finding.PoolId, finding.Kind))
        {
            ["Id"] = finding.Id,
            ["PoolId"] = finding.PoolId.Value,
            ["Subscription"] = finding.PoolId.SubscriptionId,
            ["Kind"] = finding.Kind.ToString(),
            ["Severity"] = finding.Severity.ToString(),
            ["Status"] = finding.Status.ToString(),
            ["FirstSeen"] = finding.FirstSeen,
            ["LastSeen"] = finding.LastSeen,
        };
        SetIfNotNull(entity, "ResolvedAt", finding.ResolvedAt);
        SetIfNotNull(entity, "LastNotifiedAt", finding.LastNotifiedAt);
        SetSplit(entity, "Message", finding.Message);
        SetSplit(entity, "Consequence", finding.Consequence);
        SetSplit(entity, "Remedy", finding.Remedy);
        SetSplit(entity, "Evidence", FindingJson.Serialize(finding.Evidence));
        return entity;
    }

    public static Finding ToFinding(TableEntity entity, string? version) => new()
    {
        Id = Required(entity, "Id"),
        PoolId = ReadPoolId(entity, "PoolId"),
        Kind = ParseEnum<FindingKind>(entity, "Kind"),
        Severity = ParseEnum<FindingSeverity>(entity, "Severity"),
        Status = ParseEnum<FindingStatus>(entity, "Status"),
        FirstSeen = RequiredDate(entity, "FirstSeen"),
        LastSeen = RequiredDate(entity, "LastSeen"),
        ResolvedAt = entity.GetDateTimeOffset("ResolvedAt"),
        LastNotifiedAt = entity.GetDateTimeOffset("LastNotifiedAt"),
        Message = RequiredJoin(entity, "Message"),
        Consequence = RequiredJoin(entity, "Consequence"),
        Remedy = RequiredJoin(entity, "Remedy"),
        Evidence = ReadJson(entity, "Evidence", FindingJson.DeserializeEvidence),
        Version = version,
    };

    public static TableEntity FromOutbox(OutboxEntry entry)
    {
        var finding = entry.Notification.Finding;
        var entity = new TableEntity(TableKeys.FindingPartition(finding.PoolId), TableKeys.OutboxRow(finding.PoolId, entry.Id))
        {
            ["Id"] = entry.Id,
            ["FindingId"] = finding.Id,
            ["Sink"] = entry.Sink,
            ["Status"] = entry.Status.ToString(),
            ["Attempts"] = entry.Attempts,
            ["NextAttemptAt"] = entry.NextAttemptAt,
        };
        SetIfNotNull(entity, "DeliveredAt", entry.DeliveredAt);
        if (entry.LastError is not null)
        {
            SetSplit(entity, "LastError", entry.LastError);
        }

        SetSplit(entity, "Notification", FindingJson.Serialize(entry.Notification));
        return entity;
    }

    public static OutboxEntry ToOutbox(TableEntity entity, string? version) => new()
    {
        Id = Required(entity, "Id"),
        Sink = Required(entity, "Sink"),
        Notification = ReadJson(entity, "Notification", FindingJson.DeserializeNotification),
        Status = ParseEnum<OutboxStatus>(entity, "Status"),
        Attempts = entity.GetInt32("Attempts") ?? throw Corrupt(entity, "has no Attempts"),
        NextAttemptAt = RequiredDate(entity, "NextAttemptAt"),
        DeliveredAt = entity.GetDateTimeOffset("DeliveredAt"),
        LastError = Join(entity, "LastError"),
        Version = version,
    };

    private static ScaleSetId ReadPoolId(TableEntity entity, string column) =>
        ScaleSetId.TryParse(Required(entity, column), out var id, out var error) ? id : throw Corrupt(entity, $"has an invalid {column}: {error}");

    private static T ReadJson<T>(TableEntity entity, string column, Func<string, T> read)
    {
        try
        {
            return read(RequiredJoin(entity, column));
        }
        catch (JsonException e)
        {
            throw Corrupt(entity, $"has an unreadable {column}: {e.Message}", e);
        }
    }
}
