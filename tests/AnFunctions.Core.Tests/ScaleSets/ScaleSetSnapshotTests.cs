using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.ScaleSets;

public sealed class ScaleSetSnapshotTests
{
    private static ScaleSetSnapshot With(params bool?[] nics) => TestData.ScaleSet() with
    {
        NetworkInterfaces = nics.Select((an, i) => new NetworkInterfaceConfiguration($"nic{i}", i == 0, an)).ToList(),
    };

    [Theory]
    [InlineData(new bool[0], false, false)]
    [InlineData(new[] { true }, true, true)]
    [InlineData(new[] { true, false }, false, true)]
    [InlineData(new[] { false, true }, false, true)]
    [InlineData(new[] { false, false }, false, false)]
    public void AcceleratedNetworking_OnAllAndOnAny_PerNicConfiguration(bool[] nics, bool onAll, bool onAny)
    {
        var scaleSet = With([.. nics.Select(n => (bool?)n)]);

        Assert.Equal((onAll, onAny), (scaleSet.AcceleratedNetworkingOnAll, scaleSet.AcceleratedNetworkingOnAny));
    }

    [Fact]
    public void AcceleratedNetworking_OmittedByArm_IsOff()
    {
        var scaleSet = With(null, true);

        Assert.Equal((false, true), (scaleSet.AcceleratedNetworkingOnAll, scaleSet.AcceleratedNetworkingOnAny));
    }

    [Theory]
    [InlineData("Standard_D4s_v3", 1, false)]
    [InlineData("Standard_D4s_v3", 2, true)]
    [InlineData("Mix", 1, true)]
    [InlineData("mix", 1, true)]
    [InlineData("Mixed", 1, false)]
    public void IsMixedSize_SeveralSizesOrTheMixSku(string skuName, int sizes, bool mixed)
    {
        var scaleSet = TestData.ScaleSet() with { SkuName = skuName, VmSizes = [.. Enumerable.Range(0, sizes).Select(i => $"Standard_D{2 + (2 * i)}s_v5")] };

        Assert.Equal(mixed, scaleSet.IsMixedSize);
    }

    [Fact]
    public void RawNetworkInterfaceConfigurations_NotGiven_IsAnEmptyArray()
    {
        var scaleSet = new ScaleSetSnapshot { Id = TestData.Id(), Location = "westeurope", SkuName = "Standard_D4s_v3", VmSizes = ["Standard_D4s_v3"], NetworkInterfaces = [] };

        Assert.Equal("[]", scaleSet.RawNetworkInterfaceConfigurations);
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "Succeeded", true)]
    [InlineData(null, "Failed", true)]
    [InlineData("https://management.azure.com/operations/1", "Succeeded", false)]
    [InlineData(null, "Creating", false)]
    [InlineData(null, "updating", false)]
    [InlineData(null, "Deleting", false)]
    [InlineData(null, "Migrating", false)]
    public void WriteAccepted_Finished_OnlyWithoutAnOperationAndNotBusy(string? operationUrl, string? state, bool finished)
    {
        Assert.Equal(finished, new WriteAccepted(200, operationUrl, state).Finished);
    }
}
