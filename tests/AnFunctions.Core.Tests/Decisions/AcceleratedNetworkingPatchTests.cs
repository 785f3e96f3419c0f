using System.Text.Json.Nodes;
using AnFunctions.Core.Decisions;

namespace AnFunctions.Core.Tests.Decisions;

public sealed class AcceleratedNetworkingPatchTests
{
    private const string TwoNics = """
        [
          {"name":"primary","properties":{"primary":true,"enableAcceleratedNetworking":false,"disableTcpStateTracking":false,
            "auxiliaryMode":"None","networkSecurityGroup":{"id":"/nsg"},"dnsSettings":{"dnsServers":["10.0.0.4"]},
            "ipConfigurations":[{"name":"ip","properties":{"subnet":{"id":"/subnet"},"loadBalancerBackendAddressPools":[{"id":"/pool"}]}}]}},
          {"name":"secondary","properties":{"primary":false,"ipConfigurations":[{"name":"ip2","properties":{"subnet":{"id":"/subnet2"}}}]}}
        ]
        """;

    [Fact]
    public void Build_EveryNicConfiguration_IsSentBackWithEveryFieldAndAnOn()
    {
        var scaleSet = TestData.ScaleSet() with { RawNetworkInterfaceConfigurations = TwoNics };

        var write = AcceleratedNetworkingPatch.Build(scaleSet);

        var sent = JsonNode.Parse(write.Body)!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        var expected = JsonNode.Parse(TwoNics)!.AsArray();
        foreach (var nic in expected)
        {
            nic!["properties"]!["enableAcceleratedNetworking"] = true;
        }

        Assert.True(JsonNode.DeepEquals(expected, sent), sent.ToJsonString());
    }

    [Fact]
    public void Build_NicWithoutProperties_GetsThem()
    {
        var scaleSet = TestData.ScaleSet() with { RawNetworkInterfaceConfigurations = """[{"name":"bare"}]""" };

        var write = AcceleratedNetworkingPatch.Build(scaleSet);

        Assert.Contains("\"enableAcceleratedNetworking\":true", write.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SameSnapshotTwice_GivesTheSameBody()
    {
        var scaleSet = TestData.ScaleSet(nicCount: 3);

        Assert.Equal(AcceleratedNetworkingPatch.Build(scaleSet), AcceleratedNetworkingPatch.Build(scaleSet));
    }

    [Fact]
    public void Build_RawIsNotAnArray_Throws()
    {
        var scaleSet = TestData.ScaleSet() with { RawNetworkInterfaceConfigurations = "{}" };

        Assert.Throws<InvalidOperationException>(() => AcceleratedNetworkingPatch.Build(scaleSet));
    }
}
