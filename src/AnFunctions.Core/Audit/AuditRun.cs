namespace AnFunctions.Core.Audit;

public enum AuditRunStatus
{
    Running,
    Completed,

    /// <summary>Completed, but at least one subscription failed (the others were audited).</summary>
    CompletedWithErrors,
    Failed,

    /// <summary>Asked for (HTTP, CLI) and waiting on the queue; the run replaces this record when it starts.</summary>
    Queued,
}

/// <summary>What to audit: everything in scope, one subscription, or one resource group; dry-run writes nothing.</summary>
public sealed record AuditRequest(string Trigger, string? SubscriptionId = null, string? ResourceGroup = null, bool DryRun = false, string? RunId = null);

public sealed record SubscriptionAudit(string SubscriptionId, int Pools, string? Error);

/// <summary>The record of one audit run: when, what, how many ARM calls of each kind, what changed, what failed.</summary>
public sealed record AuditRun
{
    /// <summary>Cap of the finding id lists kept in a run record (the counts are always exact).</summary>
    public const int MaxListedFindings = 500;

    public required string RunId { get; init; }
    public required string Trigger { get; init; }
    public required DateTimeOffset Started { get; init; }
    public DateTimeOffset? Ended { get; init; }
    public AuditRunStatus Status { get; init; } = AuditRunStatus.Running;
    public string? SubscriptionFilter { get; init; }
    public string? ResourceGroupFilter { get; init; }
    public bool DryRun { get; init; }
    public IReadOnlyList<SubscriptionAudit> Subscriptions { get; init; } = [];
    public int PoolsSeen { get; init; }
    public int PoolsRecorded { get; init; }
    public int PoolsClosed { get; init; }

    /// <summary>
    /// Pools whose record or findings this run wrote (recorded, changed, closed, a finding opened, updated or resolved)
    /// or that needed a pool of their own (a write, an instance check, a lost race). A pool that did not change costs
    /// no write: when it was last confirmed is this run's time.
    /// </summary>
    public int PoolsChanged { get; init; }
    public int Writes { get; init; }
    public int InstanceChecks { get; init; }
    public int FindingsOpenedCount { get; init; }
    public int FindingsResolvedCount { get; init; }
    public IReadOnlyList<string> FindingsOpened { get; init; } = [];
    public IReadOnlyList<string> FindingsResolved { get; init; } = [];
    public IReadOnlyDictionary<string, int> ArmCalls { get; init; } = new Dictionary<string, int>();

    /// <summary>Table Storage round trips of the run by kind (<c>Query</c>, <c>Transaction</c>, <c>Insert</c>...), all but the final save of the run's own record.</summary>
    public IReadOnlyDictionary<string, int> TableCalls { get; init; } = new Dictionary<string, int>();
    public IReadOnlyList<string> Errors { get; init; } = [];

    public static string NewId(DateTimeOffset at) => $"audit-{at.UtcDateTime:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>True for an id of the <see cref="NewId"/> shape: <c>audit-yyyyMMddTHHmmssZ-</c> and 8 hex characters.</summary>
    public static bool IsValidId(string? value) =>
        value is { Length: 31 } && System.Text.RegularExpressions.Regex.IsMatch(value, "^audit-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}$",
            System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
}

/// <summary>Port: audit run records (in-memory and Table implementations).</summary>
public interface IAuditRunStore
{
    Task SaveAsync(AuditRun run, CancellationToken cancellationToken);

    Task<AuditRun?> GetAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The newest runs first.</summary>
    Task<IReadOnlyList<AuditRun>> ListAsync(int max, CancellationToken cancellationToken);
}
