namespace AnFunctions.Core.ScaleSets;

public enum PowerState
{
    Unknown,
    Running,
    Starting,
    Stopping,
    Stopped,
    Deallocating,
    Deallocated,
}

/// <summary>
/// One node of a pool as ARM lists it: power state, whether it runs the scale set's latest model, and AN as applied to
/// this VM (which is what the node really runs with, whatever the model says).
/// </summary>
/// <param name="AcceleratedNetworking">True when every NIC configuration applied to the VM has AN on; null when ARM did not say.</param>
/// <param name="ProtectedFromScaleSetActions"><c>protectionPolicy.protectFromScaleSetActions</c>: the app never touches it.</param>
public sealed record PoolInstance(string InstanceId, PowerState PowerState, bool LatestModelApplied, bool? AcceleratedNetworking, bool ProtectedFromScaleSetActions)
{
    /// <summary>Running, or on its way up: taking it down is a disruption.</summary>
    public bool IsUp => PowerState is PowerState.Running or PowerState.Starting or PowerState.Unknown;
}

/// <summary>The nodes' truth for one pool, as counts (what the pool record keeps).</summary>
public sealed record InstanceCounts(int Total, int Running, int AcceleratedNetworking, int OnLatestModel, int Protected)
{
    public static InstanceCounts None { get; } = new(0, 0, 0, 0, 0);

    /// <summary>Nodes that run without AN (AN off, or not known to be on).</summary>
    public int WithoutAcceleratedNetworking => Total - AcceleratedNetworking;

    public static InstanceCounts Of(IReadOnlyCollection<PoolInstance> instances) => new(
        instances.Count,
        instances.Count(i => i.IsUp),
        instances.Count(i => i.AcceleratedNetworking == true),
        instances.Count(i => i.LatestModelApplied),
        instances.Count(i => i.ProtectedFromScaleSetActions));
}

/// <summary>An action on instances, Azure's documented path for changing AN: deallocate, bring to the latest model, start.</summary>
public enum InstanceAction
{
    Deallocate,
    ManualUpgrade,
    Start,
}
