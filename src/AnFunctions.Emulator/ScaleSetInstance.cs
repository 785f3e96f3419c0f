namespace AnFunctions.Emulator;

/// <summary>One VM of a Uniform scale set, as the emulator keeps it.</summary>
/// <param name="InstanceId">The instance id (<c>"0"</c>, <c>"1"</c>, ...).</param>
/// <param name="LatestModelApplied">Whether the VM runs the scale set's current model.</param>
/// <param name="ProvisioningState">The instance's provisioning state.</param>
public sealed record ScaleSetInstance(string InstanceId, bool LatestModelApplied = true, string ProvisioningState = "Succeeded");
