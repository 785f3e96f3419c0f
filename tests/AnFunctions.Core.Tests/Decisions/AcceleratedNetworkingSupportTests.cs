using AnFunctions.Core.Decisions;
using AnFunctions.Core.Skus;

namespace AnFunctions.Core.Tests.Decisions;

public sealed class AcceleratedNetworkingSupportTests
{
    public static TheoryData<string[], SupportVerdict> Cases() => new()
    {
        { ["Standard_D4s_v3"], SupportVerdict.Supported },
        { ["standard_d4s_v3"], SupportVerdict.Supported },
        { ["Standard_B2s"], SupportVerdict.NotSupported },
        { ["Standard_E4s_v5"], SupportVerdict.NotSupported },
        { ["Standard_Unknown"], SupportVerdict.Unknown },
        { ["Standard_D4s_v3", "Standard_D8s_v3"], SupportVerdict.Supported },
        { ["Standard_D4s_v3", "Standard_B2s"], SupportVerdict.NotSupported },
        { ["Standard_Unknown", "Standard_B2s"], SupportVerdict.NotSupported },
        { ["Standard_D4s_v3", "Standard_Unknown"], SupportVerdict.Unknown },
        { [], SupportVerdict.Unknown },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_Sizes_GivesVerdict(string[] sizes, SupportVerdict expected)
    {
        var support = AcceleratedNetworkingSupport.Evaluate(sizes, TestData.Catalog());

        Assert.Equal(expected, support.Verdict);
        Assert.Equal(sizes.Length, support.Sizes.Count);
    }

    [Fact]
    public void Evaluate_RestrictedSize_EvidenceNamesTheRestriction()
    {
        var support = AcceleratedNetworkingSupport.Evaluate(["Standard_E4s_v5"], TestData.Catalog());

        Assert.Contains("NotAvailableForSubscription", support.Describe(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, false)]
    public void SupportsAcceleratedNetworking_CapableAndAvailable_Both(bool capable, bool available, bool expected)
    {
        Assert.Equal(expected, new VmSizeCapability("s", capable, available).SupportsAcceleratedNetworking);
    }

    [Fact]
    public void Describe_EachSize_ItsEvidenceJoinedBySemicolons()
    {
        var support = AcceleratedNetworkingSupport.Evaluate(["Standard_D4s_v3", "Standard_B2s", "Standard_E4s_v5", "Standard_Unknown"], TestData.Catalog());

        Assert.Equal(
            "Standard_D4s_v3: SKU capability AcceleratedNetworkingEnabled=True, no restriction; " +
            "Standard_B2s: SKU capability AcceleratedNetworkingEnabled is not True; " +
            "Standard_E4s_v5: restricted in the region for the subscription (NotAvailableForSubscription); " +
            "Standard_Unknown: not in the region's SKU list",
            support.Describe());
    }

    [Fact]
    public void From_RestrictedWithoutAReason_SaysRestriction()
    {
        var size = SizeSupport.From("Standard_E4s_v5", new VmSizeCapability("Standard_E4s_v5", true, false));

        Assert.Equal(new SizeSupport("Standard_E4s_v5", SupportVerdict.NotSupported, "restricted in the region for the subscription (restriction)"), size);
    }
}
