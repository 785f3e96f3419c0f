using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.ScaleSets;

public sealed class VmSizeNamesTests
{
    public static TheoryData<string?, string?[]?, string[]> Cases() => new()
    {
        { "Standard_D4s_v5", null, ["Standard_D4s_v5"] },
        { "Standard_D4s_v5", [], ["Standard_D4s_v5"] },
        { "Mix", ["Standard_D4s_v5", "Standard_D8s_v5"], ["Standard_D4s_v5", "Standard_D8s_v5"] },
        { "Mix", null, [] },
        { "mix", [], [] },
        { "", null, [] },
        { null, null, [] },
        { "Standard_D4s_v5", [null, "", "Standard_E4s_v5"], ["Standard_E4s_v5"] },
        { "Mix", ["Standard_D4s_v5", "standard_d4s_v5"], ["Standard_D4s_v5"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Of_SkuNameAndProfile_TheProfilesSizesElseTheSkuName(string? skuName, string?[]? profile, string[] expected) =>
        Assert.Equal(expected, VmSizeNames.Of(skuName, profile));
}
