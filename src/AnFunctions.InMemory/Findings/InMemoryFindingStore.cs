using System.Globalization;
using System.Runtime.CompilerServices;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.InMemory.Findings;

/// <summary>
/// <see cref="IFindingStore"/> in process memory (for <c>simulate</c> and tests; lost on restart). Thread-safe. It
/// behaves like the Table store: versions are ETag-like tokens and writes are conditional on them; a save of a finding
/// and its outbox entries happens whole or not at all; what is kept is what <see cref="FindingLimits"/> normalizes
/// (UTC dates, copied lists, cut text), and the saves it refuses are refused here too.
/// </summary>
public sealed partial class InMemoryFindingStore : IFindingStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Finding> _findings = new(StringComparer.Ordinal);

    /// <summary>Keyed by pool key and entry id, as the Table store keys an entry's row (its finding's partition, its id).</summary>
    private readonly Dictionary<(string PoolKey, string EntryId), OutboxEntry> _outbox = [];
    private long _sequence;

    public Task<Finding?> GetAsync(string findingId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findingId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_findings.GetValueOrDefault(findingId));
        }
    }

    public Task<IReadOnlyList<Finding>> ListForPoolAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<Finding> result = _findings.Values
                .Where(f => f.PoolId == poolId)
                .OrderBy(f => f.Id, StringComparer.Ordinal)
                .ToArray();
            return Task.FromResult(result);
        }
    }

    public async IAsyncEnumerable<Finding> ListAsync(FindingQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Finding[] snapshot;
        lock (_gate)
        {
            snapshot = _findings.Values
                .Where(f => query.Status is null || f.Status == query.Status)
                .Where(f => query.MinimumSeverity is null || f.Severity >= query.MinimumSeverity)
                .Where(f => query.SubscriptionId is null || f.PoolId.SubscriptionId.Equals(query.SubscriptionId, StringComparison.OrdinalIgnoreCase))
                .Where(f => query.Kind is null || f.Kind == query.Kind)
                .Where(f => query.PoolId is null || f.PoolId == query.PoolId)
                .OrderBy(f => f.Id, StringComparer.Ordinal)
                .ToArray();
        }

        foreach (var finding in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return finding;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<Finding> SaveAsync(Finding finding, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(outbox);
        cancellationToken.ThrowIfCancellationRequested();
        var stored = FindingLimits.Normalize(finding);
        var entries = outbox.Select(FindingLimits.Normalize).ToArray();
        FindingLimits.ValidateSave(stored, entries);

        lock (_gate)
        {
            // Every check first, then every write: all or nothing.
            var exists = _findings.TryGetValue(finding.Id, out var current);
            if (finding.Version is null && exists)
            {
                throw new ConcurrencyConflictException($"finding {finding.Id} already exists (inserted by someone else)");
            }

            if (finding.Version is not null && (!exists || !string.Equals(current!.Version, finding.Version, StringComparison.Ordinal)))
            {
                throw new ConcurrencyConflictException(exists
                    ? $"finding {finding.Id} was changed by someone else"
                    : $"finding {finding.Id} no longer exists");
            }

            if (entries.FirstOrDefault(e => _outbox.ContainsKey((finding.PoolId.Key, e.Id))) is { } duplicate)
            {
                throw new ConcurrencyConflictException($"outbox entry {duplicate.Id} of finding {finding.Id} already exists");
            }

            stored = stored with { Version = NextVersion() };
            _findings[finding.Id] = stored;
            foreach (var entry in entries)
            {
                _outbox[(finding.PoolId.Key, entry.Id)] = entry with { Version = NextVersion() };
            }

            return Task.FromResult(stored);
        }
    }

    public async Task<IReadOnlyList<FindingSaveResult>> SaveManyAsync(IReadOnlyList<FindingSave> saves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(saves);
        var results = new List<FindingSaveResult>(saves.Count);
        foreach (var save in saves)
        {
            try
            {
                results.Add(new FindingSaveResult(save, await SaveAsync(save.Finding, save.Outbox, cancellationToken).ConfigureAwait(false), null));
            }
            catch (ConcurrencyConflictException e)
            {
                results.Add(new FindingSaveResult(save, null, e));
            }
        }

        return results;
    }

    public Task<IReadOnlyList<OutboxEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<OutboxEntry> result = _outbox.Values
                .Where(e => e.Status == OutboxStatus.Pending && e.NextAttemptAt <= now)
                .OrderBy(e => e.NextAttemptAt.UtcTicks)
                .ThenBy(e => e.Id, StringComparer.Ordinal)
                .Take(max)
                .ToArray();
            return Task.FromResult(result);
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> ListOutboxAsync(string findingId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findingId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<OutboxEntry> result = _outbox.Values
                .Where(e => string.Equals(e.Notification.Finding.Id, findingId, StringComparison.Ordinal))
                .OrderBy(e => e.Id, StringComparer.Ordinal)
                .ToArray();
            return Task.FromResult(result);
        }
    }

    public Task<OutboxEntry> UpdateOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        FindingLimits.ValidateEntry(entry);
        if (entry.Version is null)
        {
            throw new ArgumentException($"outbox entry {entry.Id} has no Version: update an entry as it was read", nameof(entry));
        }

        var stored = FindingLimits.Normalize(entry);
        var key = (entry.Notification.Finding.PoolId.Key, entry.Id);
        lock (_gate)
        {
            if (!_outbox.TryGetValue(key, out var current))
            {
                throw new ConcurrencyConflictException($"outbox entry {entry.Id} no longer exists");
            }

            if (!string.Equals(current.Version, entry.Version, StringComparison.Ordinal))
            {
                throw new ConcurrencyConflictException($"outbox entry {entry.Id} was changed by someone else");
            }

            stored = stored with { Version = NextVersion() };
            _outbox[key] = stored;
            return Task.FromResult(stored);
        }
    }

    private string NextVersion() => string.Create(CultureInfo.InvariantCulture, $"W/\"{++_sequence}\"");
}
