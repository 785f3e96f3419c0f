namespace AnFunctions.Emulator;

/// <summary>
/// One VM of a scale set, as the emulator keeps it: its own copy of the model (which may be older than the scale set's),
/// its power state, and whether scale-set actions may touch it.
/// </summary>
/// <param name="InstanceId">The instance id (<c>"0"</c>, <c>"1"</c>, ...).</param>
/// <param name="LatestModelApplied">Whether the VM runs the scale set's current model.</param>
/// <param name="ProvisioningState">The instance's provisioning state.</param>
public sealed record ScaleSetInstance(string InstanceId, bool LatestModelApplied = true, string ProvisioningState = "Succeeded")
{
    public const string Running = "running";
    public const string Deallocated = "deallocated";

    /// <summary><see cref="Running"/> or <see cref="Deallocated"/> (ARM's <c>PowerState/...</c> code without the prefix).</summary>
    public string PowerState { get; init; } = Running;

    /// <summary><c>protectionPolicy.protectFromScaleSetActions</c>: upgrades and scale-set actions never touch this VM.</summary>
    public bool ProtectFromScaleSetActions { get; init; }

    /// <summary>
    /// <c>enableAcceleratedNetworking</c> per network interface configuration (by name) as applied to this VM: what the VM
    /// really runs with. Null when given to <see cref="ArmEmulator.SetInstances"/>: the emulator then takes the scale
    /// set's current model.
    /// </summary>
    public IReadOnlyDictionary<string, bool>? AppliedAcceleratedNetworking { get; init; }

    /// <summary>
    /// Deallocated by an instance action while it ran, and not started since: a node still down because of a
    /// disruption (one deallocated from the start, or by someone outside the app before, is not).
    /// </summary>
    public bool DownByDisruption { get; init; }

    public bool IsRunning => string.Equals(PowerState, Running, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the VM runs with AN on every network interface configuration (and has at least one).</summary>
    public bool AcceleratedNetworking => AppliedAcceleratedNetworking is { Count: > 0 } nics && nics.Values.All(on => on);
}

/// <summary>
/// A moment when instances of a scale set were restarted, deallocated or upgraded in place, and why
/// (<c>automaticUpgrade</c>, <c>rollingUpgrade</c>, <c>deallocate</c>, <c>manualUpgrade</c>).
/// </summary>
/// <param name="Instances">The instances this disruption took down.</param>
/// <param name="NodesDown">
/// How many of the pool's nodes were down at that moment: these, and those an earlier disruption deallocated that have
/// not been started again. Disruptions at the same <paramref name="At"/> came one after the other (the emulated clock
/// does not move while a batch is upgraded or an instance action runs); this is what was down at once.
/// </param>
public sealed record Disruption(string ResourceId, DateTimeOffset At, int Instances, string Cause, int NodesDown);
