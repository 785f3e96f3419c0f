using AnFunctions.Core.Audit;

namespace AnFunctions.InMemory.Audit;

/// <summary><see cref="IAuditRunStore"/> in process memory (simulate, the CLI without a store, tests).</summary>
public sealed partial class InMemoryAuditRunStore : IAuditRunStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AuditRun> _runs = new(StringComparer.Ordinal);

    public Task SaveAsync(AuditRun run, CancellationToken cancellationToken)
    {
        _runs[run.RunId] = run;
        return Task.CompletedTask;
    }

    public Task<AuditRun?> GetAsync(string runId, CancellationToken cancellationToken) => Task.FromResult(_runs.GetValueOrDefault(runId));

    public Task<IReadOnlyList<AuditRun>> ListAsync(int max, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AuditRun>>(_runs.Values.OrderByDescending(r => r.Started).ThenByDescending(r => r.RunId, StringComparer.Ordinal).Take(max).ToList());
}
