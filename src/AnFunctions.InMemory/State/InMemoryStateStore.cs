using System.Globalization;
using System.Runtime.CompilerServices;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.InMemory.State;

/// <summary>
/// <see cref="IStateStore"/> in process memory (the default of <c>simulate</c>; lost on restart). Thread-safe. It
/// behaves like the Table store: versions are ETag-like tokens and saves are conditional on them, dates come back in
/// UTC, lists are copied, and text is cut at <see cref="StateLimits"/>.
/// </summary>
public sealed partial class InMemoryStateStore : IStateStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PoolRecord> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProcessedEvent> _events = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(long Sequence, DecisionRecord Decision)>> _decisions = new(StringComparer.Ordinal);
    private readonly List<RejectedEvent> _rejected = [];
    private long _sequence;

    public Task<PoolRecord?> GetPoolAsync(ScaleSetId id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_pools.GetValueOrDefault(id.Key));
        }
    }

    public Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken) =>
        SavePoolAsync(new PoolWrite(record), cancellationToken);

    public Task<PoolRecord> SavePoolAsync(PoolWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        cancellationToken.ThrowIfCancellationRequested();
        var record = write.Record;
        lock (_gate)
        {
            var exists = _pools.TryGetValue(record.Id.Key, out var current);
            if (record.Version is null && exists)
            {
                throw new ConcurrencyConflictException($"pool {record.Id} already exists (inserted by someone else)");
            }

            if (record.Version is not null && (!exists || !string.Equals(current!.Version, record.Version, StringComparison.Ordinal)))
            {
                throw new ConcurrencyConflictException(exists
                    ? $"pool {record.Id} was changed by someone else"
                    : $"pool {record.Id} no longer exists");
            }

            // All or nothing, as the Table store's transaction: the record, its decision, the event's mark.
            var stored = Normalize(record) with { Version = NextVersion() };
            _pools[record.Id.Key] = stored;
            if (write.Decision is { } decision)
            {
                AddDecision(decision);
            }

            if (write.Processed is { } processed)
            {
                AddProcessed(processed);
            }

            return Task.FromResult(stored);
        }
    }

    public async Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        var results = new List<PoolSaveResult>(writes.Count);
        foreach (var write in writes)
        {
            try
            {
                results.Add(new PoolSaveResult(write.Record, await SavePoolAsync(write, cancellationToken).ConfigureAwait(false), null));
            }
            catch (ConcurrencyConflictException e)
            {
                results.Add(new PoolSaveResult(write.Record, null, e));
            }
        }

        return results;
    }

    public async IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        PoolRecord[] snapshot;
        lock (_gate)
        {
            snapshot = _pools.Values
                .Where(p => subscriptionId is null || p.Id.SubscriptionId.Equals(subscriptionId, StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p.Id.SubscriptionId, StringComparer.Ordinal)
                .ThenBy(p => p.Id.Key, StringComparer.Ordinal)
                .ToArray();
        }

        foreach (var pool in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return pool;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<ProcessedEvent?> GetProcessedEventAsync(ScaleSetId pool, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(eventId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_events.GetValueOrDefault(EventKey(pool.Key, eventId)));
        }
    }

    public Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(processed);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            AddProcessed(processed);
        }

        return Task.CompletedTask;
    }

    public Task AppendDecisionAsync(DecisionRecord decision, CancellationToken cancellationToken) =>
        AppendDecisionsAsync([decision], cancellationToken);

    public Task AppendDecisionsAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var decision in decisions)
        {
            ArgumentNullException.ThrowIfNull(decision, nameof(decisions));
        }

        lock (_gate)
        {
            foreach (var decision in decisions)
            {
                AddDecision(decision);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Under the gate.</summary>
    private void AddProcessed(ProcessedEvent processed)
    {
        var stored = processed with
        {
            EventType = StateLimits.Truncate(processed.EventType, StateLimits.MaxTextLength),
            Subject = StateLimits.Truncate(processed.Subject, StateLimits.MaxTextLength),
            Outcome = StateLimits.Truncate(processed.Outcome, StateLimits.MaxTextLength),
            ProcessedAt = processed.ProcessedAt.ToUniversalTime(),
        };
        var pool = ScaleSetId.TryParse(processed.Subject, out var id, out _) ? id.Key : "";
        _events.TryAdd(EventKey(pool, processed.EventId), stored);
    }

    /// <summary>A mark is found with its pool's id, as in the Table store (where it lives in the pool's partition).</summary>
    private static string EventKey(string poolKey, string eventId) => poolKey + "\n" + eventId;

    /// <summary>Under the gate.</summary>
    private void AddDecision(DecisionRecord decision)
    {
        var stored = decision with
        {
            At = decision.At.ToUniversalTime(),
            Explanation = StateLimits.Truncate(decision.Explanation, StateLimits.MaxTextLength),
            Trigger = StateLimits.Truncate(decision.Trigger, StateLimits.MaxTextLength),
            EventId = StateLimits.TruncateOrNull(decision.EventId, StateLimits.MaxTextLength),
            VmSizes = Array.AsReadOnly(decision.VmSizes.ToArray()),
            WriteBody = StateLimits.TruncateOrNull(decision.WriteBody, StateLimits.MaxWriteBodyLength),
        };
        if (!_decisions.TryGetValue(decision.PoolId.Key, out var list))
        {
            list = [];
            _decisions[decision.PoolId.Key] = list;
        }

        list.Add((++_sequence, stored));
    }

    public Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<DecisionRecord> result = _decisions.TryGetValue(id.Key, out var list)
                ? list.OrderByDescending(d => d.Decision.At.UtcTicks)
                    .ThenByDescending(d => d.Sequence)
                    .Take(max)
                    .Select(d => d.Decision)
                    .ToArray()
                : [];
            return Task.FromResult(result);
        }
    }

    public Task AddRejectedEventAsync(RejectedEvent rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = rejected with
        {
            EventId = StateLimits.Truncate(rejected.EventId, StateLimits.MaxTextLength),
            Reason = StateLimits.Truncate(rejected.Reason, StateLimits.MaxTextLength),
            Excerpt = StateLimits.Truncate(rejected.Excerpt, StateLimits.MaxTextLength),
            RejectedAt = rejected.RejectedAt.ToUniversalTime(),
        };
        lock (_gate)
        {
            _rejected.Add(stored);
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<RejectedEvent> ListRejectedEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RejectedEvent[] snapshot;
        lock (_gate)
        {
            snapshot = [.. _rejected];
        }

        foreach (var rejected in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return rejected;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private string NextVersion() => string.Create(CultureInfo.InvariantCulture, $"W/\"{++_sequence}\"");

    /// <summary>What the Table store would give back: UTC dates, a copied list.</summary>
    private static PoolRecord Normalize(PoolRecord record) => record with
    {
        Location = StateLimits.Truncate(record.Location, StateLimits.MaxTextLength),
        VmSizes = Array.AsReadOnly(record.VmSizes.ToArray()),
        TimeCreated = record.TimeCreated?.ToUniversalTime(),
        FirstSeen = record.FirstSeen.ToUniversalTime(),
        LastSeen = record.LastSeen.ToUniversalTime(),
        EnabledAt = record.EnabledAt?.ToUniversalTime(),
        DeletedAt = record.DeletedAt?.ToUniversalTime(),
        InstancesCheckedAt = record.InstancesCheckedAt?.ToUniversalTime(),
        PendingWrite = record.PendingWrite is { } pending
            ? pending with
            {
                StartedAt = pending.StartedAt.ToUniversalTime(),
                AcceptedAt = pending.AcceptedAt?.ToUniversalTime(),
                OperationUrl = StateLimits.TruncateOrNull(pending.OperationUrl, StateLimits.MaxTextLength),
                ErrorCode = StateLimits.TruncateOrNull(pending.ErrorCode, StateLimits.MaxTextLength),
                ErrorMessage = StateLimits.TruncateOrNull(pending.ErrorMessage, StateLimits.MaxTextLength),
            }
            : null,
    };
}
