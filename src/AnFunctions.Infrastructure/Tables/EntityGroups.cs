using Azure;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Writes many independent units (each one or more actions on entities of one partition that must happen together:
/// a finding and its outbox entries, a pool record, a delete) in as few entity-group transactions as Table Storage
/// allows: per partition, up to <see cref="MaxActions"/> actions and about <see cref="MaxPayloadBytes"/> per
/// transaction. A unit that the service refuses with a conflict (409, 412, 404 on a conditional action) is reported as
/// refused, and the rest of its transaction is sent again without it: one unit's lost race never costs the others
/// their write. Any other failure throws (the units of transactions sent before it are written).
/// </summary>
internal static class EntityGroups
{
    /// <summary>Table Storage's limit of actions in one entity-group transaction.</summary>
    public const int MaxActions = 100;

    /// <summary>Below the service's 4 MiB payload limit, with room for the multipart envelope.</summary>
    public const int MaxPayloadBytes = 3_500_000;

    /// <summary>One unit: its partition, its actions (all or none), and an estimate of their payload.</summary>
    public sealed record Unit(string PartitionKey, IReadOnlyList<TableTransactionAction> Actions)
    {
        public int Bytes { get; } = Actions.Sum(a => EstimateBytes(a.Entity));
    }

    /// <summary>What became of a unit: the service's responses to its actions, or the failure that refused it.</summary>
    public sealed record Outcome(IReadOnlyList<Response>? Responses, RequestFailedException? Refused);

    public static async Task<Outcome[]> SubmitAsync(TableClient table, IReadOnlyList<Unit> units, CancellationToken cancellationToken)
    {
        foreach (var unit in units)
        {
            if (unit.Actions.Count is 0 or > MaxActions || unit.Actions.Any(a => a.Entity.PartitionKey != unit.PartitionKey))
            {
                throw new ArgumentException($"a unit holds 1 to {MaxActions} actions on entities of its own partition", nameof(units));
            }
        }

        var outcomes = new Outcome[units.Count];
        foreach (var partition in Enumerable.Range(0, units.Count).GroupBy(i => units[i].PartitionKey, StringComparer.Ordinal))
        {
            var pending = new Queue<int>(partition);
            while (pending.Count > 0)
            {
                var chunk = new List<int>();
                int actions = 0, bytes = 0;
                while (pending.Count > 0 && (chunk.Count == 0
                    || (actions + units[pending.Peek()].Actions.Count <= MaxActions && bytes + units[pending.Peek()].Bytes <= MaxPayloadBytes)))
                {
                    var next = pending.Dequeue();
                    chunk.Add(next);
                    actions += units[next].Actions.Count;
                    bytes += units[next].Bytes;
                }

                await SubmitChunkAsync(table, units, chunk, outcomes, cancellationToken).ConfigureAwait(false);
            }
        }

        return outcomes;
    }

    private static async Task SubmitChunkAsync(TableClient table, IReadOnlyList<Unit> units, List<int> chunk, Outcome[] outcomes, CancellationToken cancellationToken)
    {
        while (chunk.Count > 0)
        {
            var actions = chunk.SelectMany(i => units[i].Actions).ToList();
            try
            {
                var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                var offset = 0;
                foreach (var i in chunk)
                {
                    outcomes[i] = new Outcome(response.Value.Skip(offset).Take(units[i].Actions.Count).ToList(), null);
                    offset += units[i].Actions.Count;
                }

                return;
            }
            catch (TableTransactionFailedException e) when (IsConflict(e))
            {
                var culprit = e.FailedTransactionActionIndex is { } index ? UnitAt(units, chunk, index) : null;
                if (culprit is null)
                {
                    if (chunk.Count == 1)
                    {
                        outcomes[chunk[0]] = new Outcome(null, e);
                        return;
                    }

                    // The service did not say which action failed: each unit on its own finds out.
                    foreach (var i in chunk)
                    {
                        await SubmitChunkAsync(table, units, [i], outcomes, cancellationToken).ConfigureAwait(false);
                    }

                    return;
                }

                outcomes[culprit.Value] = new Outcome(null, e);
                chunk.Remove(culprit.Value);
            }
        }
    }

    private static int? UnitAt(IReadOnlyList<Unit> units, List<int> chunk, int actionIndex)
    {
        var offset = 0;
        foreach (var i in chunk)
        {
            offset += units[i].Actions.Count;
            if (actionIndex < offset)
            {
                return i;
            }
        }

        return null;
    }

    internal static bool IsConflict(RequestFailedException e) =>
        TableErrors.IsStatus(e, 409) || TableErrors.IsStatus(e, 412) || TableErrors.IsStatus(e, 404);

    /// <summary>
    /// An upper estimate of an entity's share of a transaction's payload: JSON may escape a non-ASCII char as
    /// <c>\uXXXX</c> (6 bytes), and every property costs its name, its type annotation and punctuation.
    /// </summary>
    internal static int EstimateBytes(ITableEntity entity)
    {
        var bytes = 512 + ((entity.PartitionKey?.Length ?? 0) + (entity.RowKey?.Length ?? 0)) * 6;
        if (entity is TableEntity properties)
        {
            foreach (var (name, value) in properties)
            {
                bytes += (name.Length * 2) + 48 + (value is string text ? JsonLength(text) : 32);
            }
        }

        return bytes;
    }

    private static int JsonLength(string text)
    {
        var length = 0;
        foreach (var c in text)
        {
            length += c < 0x80 ? 2 : 6;
        }

        return length;
    }
}
