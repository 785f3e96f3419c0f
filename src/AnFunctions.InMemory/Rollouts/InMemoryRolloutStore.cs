using System.Globalization;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.InMemory.Rollouts;

/// <summary>
/// <see cref="IRolloutStore"/> in process memory (simulate, the CLI without a store, tests). It behaves like the Table
/// store: versions are ETag-like tokens, saves are conditional on them, and a pool has at most one unfinished rollout.
/// </summary>
public sealed class InMemoryRolloutStore : IRolloutStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Rollout> _rollouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _active = new(StringComparer.Ordinal);
    private long _version;

    public Task<Rollout?> GetAsync(string rolloutId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rolloutId);
        lock (_gate)
        {
            return Task.FromResult(_rollouts.GetValueOrDefault(rolloutId));
        }
    }

    public Task<Rollout?> GetActiveAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        lock (_gate)
        {
            return Task.FromResult(Active(poolId));
        }
    }

    public Task<Rollout?> GetLatestAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        lock (_gate)
        {
            return Task.FromResult(_rollouts.Values
                .Where(r => r.PoolId == poolId)
                .OrderByDescending(r => r.RequestedAt)
                .ThenByDescending(r => r.RolloutId, StringComparer.Ordinal)
                .FirstOrDefault());
        }
    }

    public Task<Rollout> StartAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        if (rollout.Version is not null)
        {
            throw new ArgumentException("a rollout is started once, before it has a version", nameof(rollout));
        }

        lock (_gate)
        {
            if (Active(rollout.PoolId) is { } active)
            {
                throw new RolloutInProgressException(active);
            }

            if (_rollouts.ContainsKey(rollout.RolloutId))
            {
                throw new ConcurrencyConflictException($"rollout {rollout.RolloutId} already exists");
            }

            var stored = rollout with { Version = NextVersion() };
            _rollouts[rollout.RolloutId] = stored;
            if (!stored.IsFinished)
            {
                _active[rollout.PoolId.Key] = rollout.RolloutId;
            }

            return Task.FromResult(stored);
        }
    }

    public Task<Rollout> SaveAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        lock (_gate)
        {
            if (!_rollouts.TryGetValue(rollout.RolloutId, out var current) || !string.Equals(current.Version, rollout.Version, StringComparison.Ordinal))
            {
                throw new ConcurrencyConflictException(current is null
                    ? $"rollout {rollout.RolloutId} does not exist"
                    : $"rollout {rollout.RolloutId} was changed by someone else");
            }

            var stored = rollout with { Version = NextVersion() };
            _rollouts[rollout.RolloutId] = stored;
            if (stored.IsFinished && _active.TryGetValue(rollout.PoolId.Key, out var id) && id == rollout.RolloutId)
            {
                _active.Remove(rollout.PoolId.Key);
            }

            return Task.FromResult(stored);
        }
    }

    /// <summary>The caller holds the lock.</summary>
    private Rollout? Active(ScaleSetId poolId) =>
        _active.TryGetValue(poolId.Key, out var id) && _rollouts.TryGetValue(id, out var rollout) && !rollout.IsFinished ? rollout : null;

    private string NextVersion() => string.Create(CultureInfo.InvariantCulture, $"W/\"{++_version}\"");
}
