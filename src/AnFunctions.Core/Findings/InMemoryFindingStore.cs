using System.Runtime.CompilerServices;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Findings;

/// <summary>
/// Findings and outbox in process memory (the default of <c>simulate</c>; lost on restart). Versions behave like
/// ETags and a save is all-or-nothing, exactly like the Table store.
/// </summary>
public sealed class InMemoryFindingStore : IFindingStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Finding> _findings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutboxEntry> _outbox = new(StringComparer.Ordinal);
    private long _version;

    public Task<Finding?> GetAsync(string findingId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_findings.GetValueOrDefault(findingId));
        }
    }

    public Task<IReadOnlyList<Finding>> ListForPoolAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<Finding>>(_findings.Values.Where(f => f.PoolId == poolId).OrderBy(f => f.Id, StringComparer.Ordinal).ToList());
        }
    }

    public async IAsyncEnumerable<Finding> ListAsync(FindingQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<Finding> matches;
        lock (_gate)
        {
            matches = _findings.Values
                .Where(f => query.Status is null || f.Status == query.Status)
                .Where(f => query.MinimumSeverity is null || f.Severity >= query.MinimumSeverity)
                .Where(f => query.SubscriptionId is null || string.Equals(f.PoolId.SubscriptionId, query.SubscriptionId, StringComparison.OrdinalIgnoreCase))
                .Where(f => query.Kind is null || f.Kind == query.Kind)
                .Where(f => query.PoolId is null || f.PoolId == query.PoolId)
                .OrderBy(f => f.Id, StringComparer.Ordinal)
                .ToList();
        }

        foreach (var finding in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return finding;
            await Task.Yield();
        }
    }

    public Task<Finding> SaveAsync(Finding finding, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _findings.TryGetValue(finding.Id, out var stored);
            if ((finding.Version is null && stored is not null) || (finding.Version is not null && stored?.Version != finding.Version))
            {
                throw new ConcurrencyConflictException($"finding {finding.Id} was changed by someone else");
            }

            if (outbox.Any(o => _outbox.ContainsKey(o.Id)))
            {
                throw new ConcurrencyConflictException("an outbox entry with the same id exists");
            }

            var saved = finding with { Version = NextVersion() };
            _findings[finding.Id] = saved;
            foreach (var entry in outbox)
            {
                _outbox[entry.Id] = entry with { Version = NextVersion() };
            }

            return Task.FromResult(saved);
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<OutboxEntry>>(_outbox.Values
                .Where(o => o.Status == OutboxStatus.Pending && o.NextAttemptAt <= now)
                .OrderBy(o => o.Id, StringComparer.Ordinal)
                .Take(max)
                .ToList());
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> ListOutboxAsync(string findingId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<OutboxEntry>>(_outbox.Values
                .Where(o => o.Notification.Finding.Id == findingId)
                .OrderBy(o => o.Id, StringComparer.Ordinal)
                .ToList());
        }
    }

    public Task<OutboxEntry> UpdateOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_outbox.TryGetValue(entry.Id, out var stored) || stored.Version != entry.Version)
            {
                throw new ConcurrencyConflictException($"outbox entry {entry.Id} was changed by someone else");
            }

            var saved = entry with { Version = NextVersion() };
            _outbox[entry.Id] = saved;
            return Task.FromResult(saved);
        }
    }

    private string NextVersion() => $"W/\"{++_version}\"";
}
