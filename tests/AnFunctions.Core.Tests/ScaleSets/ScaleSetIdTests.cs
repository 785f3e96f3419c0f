using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.ScaleSets;

public sealed class ScaleSetIdTests
{
    private const string Valid = "/subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/cluster-x1y2z/providers/Microsoft.Compute/virtualMachineScaleSets/nodepool-a1b2c";

    [Fact]
    public void TryParse_ValidId_ExposesItsParts()
    {
        Assert.True(ScaleSetId.TryParse(Valid, out var id, out _));

        Assert.Equal("3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60", id.SubscriptionId);
        Assert.Equal("cluster-x1y2z", id.ResourceGroup);
        Assert.Equal("nodepool-a1b2c", id.Name);
        Assert.Equal(Valid, id.Value);
    }

    [Fact]
    public void Equals_DifferentCase_IsTheSameScaleSet()
    {
        var upper = ScaleSetId.Parse(Valid.ToUpperInvariant().Replace("/SUBSCRIPTIONS/", "/subscriptions/", StringComparison.Ordinal));
        var lower = ScaleSetId.Parse(Valid.ToLowerInvariant());

        Assert.Equal(upper, lower);
        Assert.Equal(upper.GetHashCode(), lower.GetHashCode());
        Assert.Equal(upper.Key, lower.Key);
    }

    public static TheoryData<string?, string> Invalid() => new()
    {
        { null, "empty" },
        { "", "empty" },
        { "   ", "empty" },
        { "/subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic", "not a virtual machine scale set id" },
        { Valid + "/virtualMachines/0", "not a virtual machine scale set id" },
        { "/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss", "not a GUID" },
        { "/subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/../providers/Microsoft.Compute/virtualMachineScaleSets/vmss", "not a valid ARM name" },
        { "/subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/..", "not a valid ARM name" },
        { "/subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/a%2Fb", "never contain" },
        { Valid + "?api-version=2024-11-01", "never contain" },
        { Valid + "\n", "never contain" },
        { "subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss", "not a virtual machine scale set id" },
        { "https://management.azure.com" + Valid, "not a virtual machine scale set id" },
        { Valid + "/", "not a virtual machine scale set id" },
        { new string('a', 2000), "longer than" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void TryParse_InvalidId_FailsWithAClearError(string? value, string expected)
    {
        Assert.False(ScaleSetId.TryParse(value, out var id, out var error));

        Assert.Null(id);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidId_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => ScaleSetId.Parse("/subscriptions/x"));
    }
}
