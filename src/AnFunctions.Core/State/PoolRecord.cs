using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.State;

public enum PoolStatus
{
    Active,
    Deleted,
}

/// <summary>
/// What the app knows of one node pool (scale set). <see cref="Version"/> is the store's concurrency token: null for a
/// record not yet stored; a save with a stale version is refused.
/// </summary>
public sealed record PoolRecord
{
    public required ScaleSetId Id { get; init; }
    public required string Location { get; init; }

    /// <summary>The size(s) the pool is known to run; moves after a recorded size change.</summary>
    public required IReadOnlyList<string> VmSizes { get; init; }

    /// <summary>
    /// AN as the pool came out of creation: true when it was created with AN or the app enabled it in the new-pool
    /// window; null when the app first saw the pool after its creation window (unknown). Never moves afterwards.
    /// </summary>
    public bool? AcceleratedNetworkingAtCreation { get; init; }

    /// <summary>AN on every NIC configuration, as last seen.</summary>
    public bool AcceleratedNetworking { get; init; }

    public DateTimeOffset? TimeCreated { get; init; }
    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }

    /// <summary>True when the app itself enabled AN on this pool.</summary>
    public bool EnabledByApp { get; init; }
    public DateTimeOffset? EnabledAt { get; init; }

    /// <summary>Instances created before the AN change that are not on the latest model yet (they need a reimage or replacement).</summary>
    public long? InstancesNotOnLatestModel { get; init; }

    /// <summary>The nodes' truth as last listed (instances, running, with AN, on the latest model); null when never listed.</summary>
    public InstanceCounts? Instances { get; init; }

    /// <summary>When <see cref="Instances"/> was listed.</summary>
    public DateTimeOffset? InstancesCheckedAt { get; init; }

    /// <summary>
    /// The app enabled AN and the nodes are not known to all run with it yet: the audit lists this pool's instances
    /// (and only such pools').
    /// </summary>
    public bool NeedsInstanceCheck =>
        EnabledByApp && Status == PoolStatus.Active
        && (Instances is not { } nodes ? InstancesNotOnLatestModel is not 0 : nodes.AcceleratedNetworking < nodes.Total);

    public PoolStatus Status { get; init; } = PoolStatus.Active;
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>
    /// The write that enables AN, recorded before it is sent and cleared once its outcome is known; while it is set the
    /// pool is still treated as new (its record alone does not make it an existing pool). A record left with one (the
    /// instance died between the write and the state write, or the operation outlived the delivery) is completed by
    /// the next delivery or audit.
    /// </summary>
    public PendingWrite? PendingWrite { get; init; }

    /// <summary>The store's concurrency token (an ETag); null before the first save.</summary>
    public string? Version { get; init; }
}

public enum PendingWriteState
{
    /// <summary>Recorded before the write was sent: it may or may not have reached ARM.</summary>
    Intended,

    /// <summary>ARM accepted the write; its long-running operation had not finished when this was recorded.</summary>
    Accepted,

    /// <summary>The write was refused, or its operation failed; a transient failure is tried again while the pool is new.</summary>
    Failed,
}

/// <summary>The app's own write of a pool, from before it is sent until its outcome is known.</summary>
public sealed record PendingWrite
{
    /// <summary>
    /// The <see cref="ErrorCode"/> of a write that got no answer (timeout, dropped connection): it may or may not have
    /// reached ARM, so the pool itself tells what happened.
    /// </summary>
    public const string NoAnswer = "NoAnswer";

    /// <summary>Who records it: a reconcile recognises its own write by this id.</summary>
    public required string Id { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>1 for the first write to the pool, 2 and 3 for the writes after a transient failure.</summary>
    public required int Attempt { get; init; }

    public PendingWriteState State { get; init; } = PendingWriteState.Intended;

    /// <summary>The operation's status URL (<c>Azure-AsyncOperation</c>), once ARM accepted the write.</summary>
    public string? OperationUrl { get; init; }

    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>ARM's error of a failed write or operation.</summary>
    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }
}
