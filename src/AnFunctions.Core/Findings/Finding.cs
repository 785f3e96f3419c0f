using System.Security.Cryptography;
using System.Text;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Findings;

public enum FindingSeverity
{
    Info,
    Warning,
    Critical,
}

public enum FindingStatus
{
    Open,
    Resolved,
}

public enum FindingKind
{
    /// <summary>The pool's VM size changed and its AN state is consistent with the new size (information).</summary>
    SizeChanged,

    /// <summary>The pool was resized to a size that supports AN, but the pool has AN off and will keep it off.</summary>
    SizeChangedWithoutAcceleratedNetworking,

    /// <summary>The pool has AN on but runs (or was resized to) a size that does not support AN.</summary>
    AcceleratedNetworkingOnUnsupportedSize,

    /// <summary>A write that tried to change the pool's size was refused or cancelled by Azure.</summary>
    SizeChangeRefused,

    /// <summary>The pool had AN and no longer has it on every NIC configuration.</summary>
    AcceleratedNetworkingLost,

    /// <summary>The pool's size supports AN but the pool was created without it (capacity planning information).</summary>
    AcceleratedNetworkingAvailableButOff,

    /// <summary>No longer raised (superseded by <see cref="NodesWithoutAcceleratedNetworking"/>); kept so stored findings still read, and resolved by the next instance check.</summary>
    InstancesNotOnLatestModel,

    /// <summary>A new pool that needs AN was not written: the write would have taken more nodes down than allowed.</summary>
    AcceleratedNetworkingWriteBlocked,

    /// <summary>The pool's model has AN but some nodes run without it (info; warning after the instance grace period).</summary>
    NodesWithoutAcceleratedNetworking,

    /// <summary>The app's write enabling AN on a new pool failed after ARM accepted it (or was refused) and will not be retried.</summary>
    AcceleratedNetworkingWriteFailed,
}

/// <summary>What a finding is based on: enough for the person paged at 3 a.m. to act without another lookup.</summary>
public sealed record FindingEvidence
{
    public IReadOnlyList<string> PreviousSizes { get; init; } = [];
    public IReadOnlyList<string> CurrentSizes { get; init; } = [];
    public IReadOnlyList<string> AttemptedSizes { get; init; } = [];

    /// <summary>AN on every NIC configuration of the pool's model when the finding was last evaluated.</summary>
    public bool? AcceleratedNetworking { get; init; }

    /// <summary>Whether the pool's (or the attempted) size supports AN, with the per-size evidence.</summary>
    public string? SizeSupport { get; init; }

    public IReadOnlyList<string> EventIds { get; init; } = [];
    public string? CorrelationId { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>The Kubernetes cluster the pool belongs to, from its tags when present.</summary>
    public string? Cluster { get; init; }

    public string? Location { get; init; }

    /// <summary>True while the Activity Log had nothing yet for a refused write (it lags); a later lookup completes it.</summary>
    public bool ActivityLogPending { get; init; }

    /// <summary>The pool's upgrade policy, when it bears on the finding (a blocked write, a mixed pool).</summary>
    public string? UpgradePolicy { get; init; }

    /// <summary>The nodes' truth when the finding was last evaluated: instances, running, with AN.</summary>
    public InstanceCounts? Nodes { get; init; }

    /// <summary>Who owns the pool (Aks, ClusterApiAzure, GiantSwarm, Unknown): the remedy speaks its language.</summary>
    public string? Owner { get; init; }

    /// <summary>The app's write a finding is about: its attempt number and when ARM accepted it.</summary>
    public int? WriteAttempt { get; init; }

    /// <summary>Why the finding was closed when that is not simply "the condition no longer holds".</summary>
    public string? Resolution { get; init; }
}

/// <summary>
/// One problem with one pool. The id is deterministic (pool + kind), so the same problem is never two findings: seeing
/// it again updates it, and it resolves when its condition no longer holds.
/// </summary>
public sealed record Finding
{
    public required string Id { get; init; }
    public required ScaleSetId PoolId { get; init; }
    public required FindingKind Kind { get; init; }
    public required FindingSeverity Severity { get; init; }
    public required FindingStatus Status { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>One line: what happened.</summary>
    public required string Message { get; init; }

    /// <summary>What it means for AN.</summary>
    public required string Consequence { get; init; }

    /// <summary>What to do, for the person paged at 3 a.m.</summary>
    public required string Remedy { get; init; }

    public required FindingEvidence Evidence { get; init; }

    /// <summary>When on-call was last told about this finding (trigger), if ever.</summary>
    public DateTimeOffset? LastNotifiedAt { get; init; }

    /// <summary>The store's concurrency token; null before the first save.</summary>
    public string? Version { get; init; }

    public bool IsOpen => Status == FindingStatus.Open;

    /// <summary>The deterministic id of a pool's finding of a kind: <c>fnd-</c> and 24 hex characters of a SHA-256.</summary>
    public static string IdFor(ScaleSetId poolId, FindingKind kind)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{poolId.Key}|{kind}"));
        return "fnd-" + Convert.ToHexStringLower(hash)[..24];
    }
}
