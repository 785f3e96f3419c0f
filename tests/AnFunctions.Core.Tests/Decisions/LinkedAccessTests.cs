using AnFunctions.Core.Decisions;

namespace AnFunctions.Core.Tests.Decisions;

/// <summary>
/// The table of what a NIC configuration may reference is pinned entry by entry: a path, type or join action lost or
/// misspelt would make the custom role miss a permission and the app's write fail with LinkedAuthorizationFailed.
/// </summary>
public sealed class LinkedAccessTests
{
    [Fact]
    public void NicReferences_EveryReferenceWithItsTypeAndJoinAction()
    {
        LinkedReference[] expected =
        [
            new("properties.networkSecurityGroup", "Microsoft.Network/networkSecurityGroups", "Microsoft.Network/networkSecurityGroups/join/action"),
            new("properties.ipConfigurations[].properties.subnet", "Microsoft.Network/virtualNetworks/subnets", "Microsoft.Network/virtualNetworks/subnets/join/action"),
            new("properties.ipConfigurations[].properties.loadBalancerBackendAddressPools[]", "Microsoft.Network/loadBalancers/backendAddressPools", "Microsoft.Network/loadBalancers/backendAddressPools/join/action"),
            new("properties.ipConfigurations[].properties.loadBalancerInboundNatPools[]", "Microsoft.Network/loadBalancers/inboundNatPools", "Microsoft.Network/loadBalancers/inboundNatPools/join/action"),
            new("properties.ipConfigurations[].properties.applicationGatewayBackendAddressPools[]", "Microsoft.Network/applicationGateways/backendAddressPools", "Microsoft.Network/applicationGateways/backendAddressPools/join/action"),
            new("properties.ipConfigurations[].properties.applicationSecurityGroups[]", "Microsoft.Network/applicationSecurityGroups", "Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action"),
            new("properties.ipConfigurations[].properties.publicIPAddressConfiguration.properties.publicIPPrefix", "Microsoft.Network/publicIPPrefixes", "Microsoft.Network/publicIPPrefixes/join/action"),
        ];

        Assert.Equal(expected, LinkedAccess.NicReferences);
    }

    [Fact]
    public void JoinActions_OnePerReference_FoundInAnyCase()
    {
        Assert.Equal(LinkedAccess.NicReferences.Count, LinkedAccess.JoinActions.Count);
        foreach (var reference in LinkedAccess.NicReferences)
        {
            Assert.Contains(reference.JoinAction, LinkedAccess.JoinActions);
            Assert.Contains(reference.JoinAction.ToUpperInvariant(), LinkedAccess.JoinActions);
            Assert.Contains(reference.JoinAction.ToLowerInvariant(), LinkedAccess.JoinActions);
        }

        Assert.DoesNotContain("Microsoft.Network/networkSecurityGroups/read", LinkedAccess.JoinActions);
    }
}
