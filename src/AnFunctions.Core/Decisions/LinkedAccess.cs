namespace AnFunctions.Core.Decisions;

/// <summary>One kind of resource a scale set's NIC configuration may reference, and the action ARM checks on it.</summary>
/// <param name="Path">Where the reference sits in a NIC configuration (arrays as <c>[]</c>), ending in the object that holds the <c>id</c>.</param>
public sealed record LinkedReference(string Path, string ResourceType, string JoinAction);

/// <summary>
/// ARM replaces arrays on PATCH, so the app's write re-sends every NIC configuration as read, and ARM checks linked
/// access on everything those configurations reference: the caller needs the join action of each (403
/// <c>LinkedAuthorizationFailed</c> otherwise). This is the list of what a NIC configuration may reference; the custom
/// role (infra/app/permissions.json) must hold every join action here, which a test checks both ways.
/// </summary>
public static class LinkedAccess
{
    public static IReadOnlyList<LinkedReference> NicReferences { get; } =
    [
        new("properties.networkSecurityGroup", "Microsoft.Network/networkSecurityGroups", "Microsoft.Network/networkSecurityGroups/join/action"),
        new("properties.ipConfigurations[].properties.subnet", "Microsoft.Network/virtualNetworks/subnets", "Microsoft.Network/virtualNetworks/subnets/join/action"),
        new("properties.ipConfigurations[].properties.loadBalancerBackendAddressPools[]", "Microsoft.Network/loadBalancers/backendAddressPools", "Microsoft.Network/loadBalancers/backendAddressPools/join/action"),
        new("properties.ipConfigurations[].properties.loadBalancerInboundNatPools[]", "Microsoft.Network/loadBalancers/inboundNatPools", "Microsoft.Network/loadBalancers/inboundNatPools/join/action"),
        new("properties.ipConfigurations[].properties.applicationGatewayBackendAddressPools[]", "Microsoft.Network/applicationGateways/backendAddressPools", "Microsoft.Network/applicationGateways/backendAddressPools/join/action"),
        new("properties.ipConfigurations[].properties.applicationSecurityGroups[]", "Microsoft.Network/applicationSecurityGroups", "Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action"),
        new("properties.ipConfigurations[].properties.publicIPAddressConfiguration.properties.publicIPPrefix", "Microsoft.Network/publicIPPrefixes", "Microsoft.Network/publicIPPrefixes/join/action"),
    ];

    public static IReadOnlySet<string> JoinActions { get; } = NicReferences.Select(r => r.JoinAction).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
