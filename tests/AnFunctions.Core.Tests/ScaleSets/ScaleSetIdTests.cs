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
        { Valid.Replace("nodepool", "node\u0001pool", StringComparison.Ordinal), "never contain" },
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

    private const string Sub = "3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60";

    private static string Id(string resourceGroup = "rg", string name = "vmss", string subscription = Sub) =>
        $"/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}";

    public static TheoryData<string, bool> Edges() => new()
    {
        // Names: ARM's lengths (resource group 90, scale set 80), letters, digits and - _ . ( ) only.
        { Id(resourceGroup: new string('r', 90)), true },
        { Id(resourceGroup: new string('r', 91)), false },
        { Id(name: new string('n', 80)), true },
        { Id(name: new string('n', 81)), false },
        { Id(resourceGroup: "MC_rg_cluster-1_west.europe(2)"), true },
        { Id(name: "pool_(1).a-b"), true },
        { Id(name: "."), false },
        { Id(resourceGroup: "."), false },
        { Id(name: "pool#1"), false },
        { Id(name: "pool\\1"), false },
        { Id(name: "pool 1"), false },
        { Id(name: "pool+1"), false },
        { Id(name: "pöol"), true },
        { Id(resourceGroup: ""), false },
        { Id(name: ""), false },
        // Every segment named as ARM names it (in any case), nothing before the first slash.
        { Id().Replace("/resourceGroups/", "/resourcegroups/", StringComparison.Ordinal), true },
        { Id().Replace("/resourceGroups/", "/resourceGroup/", StringComparison.Ordinal), false },
        { Id().Replace("/providers/", "/provider/", StringComparison.Ordinal), false },
        { Id().Replace("Microsoft.Compute", "Microsoft.ComputeX", StringComparison.Ordinal), false },
        { Id().Replace("/subscriptions/", "/subscription/", StringComparison.Ordinal), false },
        { "x" + Id(), false },
        // The subscription: a GUID with hyphens only.
        { Id(subscription: Sub.ToUpperInvariant()), true },
        { Id(subscription: Sub.Replace("-", "", StringComparison.Ordinal)), false },
        { Id(subscription: "{" + Sub + "}"), false },
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void TryParse_Edges_AsArmNamesThem(string value, bool valid)
    {
        Assert.Equal(valid, ScaleSetId.TryParse(value, out var id, out var error));
        Assert.Equal(valid, id is not null);
        Assert.Equal(valid, error is null);
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1025, false)]
    public void TryParse_Length_AtMost1024Characters(int length, bool withinBound)
    {
        // Padded with a long (invalid) name, so that the length check is what decides when it fails.
        var value = Id(name: "n").PadRight(length, 'n');

        ScaleSetId.TryParse(value, out _, out var error);

        Assert.Equal(withinBound, error is null || !error.Contains("longer than 1024 characters", StringComparison.Ordinal));
    }

    [Fact]
    public void TryParse_LongInvalidId_ErrorQuotesOnlyItsFirst200Characters()
    {
        var value = "/subscriptions/" + new string('x', 500);

        ScaleSetId.TryParse(value, out _, out var error);

        Assert.Contains("'" + value[..200] + "…'", error, StringComparison.Ordinal);
        Assert.DoesNotContain(value[..201], error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_InvalidIdOfExactly200Characters_ErrorQuotesItWhole()
    {
        var value = "/subscriptions/" + new string('x', 200 - "/subscriptions/".Length);

        ScaleSetId.TryParse(value, out _, out var error);

        Assert.Contains("'" + value + "'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UpperCaseSubscription_LowerCasedInTheValueNamesKeptAsGiven()
    {
        var id = ScaleSetId.Create(Sub.ToUpperInvariant(), "Cluster-RG", "NodePool1");

        Assert.Equal($"/subscriptions/{Sub}/resourceGroups/Cluster-RG/providers/Microsoft.Compute/virtualMachineScaleSets/NodePool1", id.Value);
        Assert.Equal(id.Value.ToLowerInvariant(), id.Key);
        Assert.Equal(id.Value, id.ToString());
    }

    [Fact]
    public void Operators_CompareLikeEquals()
    {
        var a = ScaleSetId.Parse(Id(name: "Pool"));
        var b = ScaleSetId.Parse(Id(name: "pool"));
        var c = ScaleSetId.Parse(Id(name: "other"));

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a != c);
        Assert.False(a == null);
        Assert.True((ScaleSetId?)null == null);
        Assert.True(a.Equals((object)b));
        Assert.False(a.Equals((object)Id(name: "pool")));
        Assert.False(a.Equals(null));
    }
}
