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

    [Fact]
    public void Build_NicWithoutPropertiesObject_GetsAPropertiesObjectWithAnOnly()
    {
        var scaleSet = TestData.ScaleSet() with { RawNetworkInterfaceConfigurations = """[{"name":"bare"},{"name":"odd","properties":3}]""" };

        var write = AcceleratedNetworkingPatch.Build(scaleSet);

        Assert.Equal(
            """{"properties":{"virtualMachineProfile":{"networkProfile":{"networkInterfaceConfigurations":[{"name":"bare","properties":{"enableAcceleratedNetworking":true}},{"name":"odd","properties":{"enableAcceleratedNetworking":true}}]}}}}""",
            write.Body);
        Assert.Equal((scaleSet.Id, "PATCH", scaleSet.ETag), (write.Id, write.Method, write.IfMatch));
    }

    [Theory]
    [InlineData("{}", "the scale set's network interface configurations are not a JSON array")]
    [InlineData("[{\"name\":\"a\"},1]", "a network interface configuration is not a JSON object")]
    public void Build_NotAnArrayOfObjects_ThrowsSayingWhat(string raw, string message)
    {
        var scaleSet = TestData.ScaleSet() with { RawNetworkInterfaceConfigurations = raw };

        var e = Assert.Throws<InvalidOperationException>(() => AcceleratedNetworkingPatch.Build(scaleSet));

        Assert.Equal(message, e.Message);
    }
}
