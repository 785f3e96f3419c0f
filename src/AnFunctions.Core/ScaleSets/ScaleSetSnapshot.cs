namespace AnFunctions.Core.ScaleSets;

/// <summary>One network interface configuration of a scale set's VM model.</summary>
/// <param name="AcceleratedNetworking">The model's <c>enableAcceleratedNetworking</c>; null when ARM omits it (meaning off).</param>
public sealed record NetworkInterfaceConfiguration(string Name, bool Primary, bool? AcceleratedNetworking)
{
    public bool AcceleratedNetworkingOn => AcceleratedNetworking == true;
}

/// <summary>
/// A scale set as ARM returned it at one moment: what the decisions need, converted at the edge from the SDK's types.
/// </summary>
public sealed record ScaleSetSnapshot
{
    public required ScaleSetId Id { get; init; }
    public required string Location { get; init; }

    /// <summary><c>sku.name</c>: a VM size, or <c>Mix</c> for a scale set with a <c>skuProfile</c>.</summary>
    public required string SkuName { get; init; }

    /// <summary>The VM size(s) the scale set runs: <c>sku.name</c>, or every size of <c>skuProfile.vmSizes</c>.</summary>
    public required IReadOnlyList<string> VmSizes { get; init; }

    public long? Capacity { get; init; }
    public DateTimeOffset? TimeCreated { get; init; }
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public required IReadOnlyList<NetworkInterfaceConfiguration> NetworkInterfaces { get; init; }
    public string? ProvisioningState { get; init; }
    public string? OrchestrationMode { get; init; }

    /// <summary>How a model write reaches the running instances (Manual when the scale set sets none).</summary>
    public UpgradePolicy UpgradePolicy { get; init; } = UpgradePolicy.Absent;

    /// <summary>Who owns the scale set (AKS, Cluster API, Giant Swarm), from its tags and resource group.</summary>
    public Provisioner Provisioner => Provisioner.From(Tags, Id.ResourceGroup, Id.Name);

    /// <summary>The ETag ARM sent with this state; a write made from this snapshot carries it as If-Match.</summary>
    public string? ETag { get; init; }

    /// <summary>
    /// <c>properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations</c> exactly as ARM returned it
    /// (a JSON array). ARM replaces arrays on PATCH, so a write resends every configuration with every field it had.
    /// </summary>
    public string RawNetworkInterfaceConfigurations { get; init; } = "[]";

    /// <summary>True when every NIC configuration of the model has AN on (and there is at least one).</summary>
    public bool AcceleratedNetworkingOnAll =>
        NetworkInterfaces.Count > 0 && NetworkInterfaces.All(n => n.AcceleratedNetworkingOn);

    public bool AcceleratedNetworkingOnAny => NetworkInterfaces.Any(n => n.AcceleratedNetworkingOn);

    public bool IsMixedSize => VmSizes.Count > 1 || SkuName.Equals("Mix", StringComparison.OrdinalIgnoreCase);

    public string? Tag(string name) =>
        Tags.FirstOrDefault(t => t.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
