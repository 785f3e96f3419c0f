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

    /// <summary>The store's concurrency token (an ETag); null before the first save.</summary>
    public string? Version { get; init; }
}
