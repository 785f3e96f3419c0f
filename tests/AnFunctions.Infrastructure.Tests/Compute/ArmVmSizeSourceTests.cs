using AnFunctions.Core.Arm;
using AnFunctions.Core.Skus;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Compute;
using static AnFunctions.Infrastructure.Tests.Compute.ComputeTestData;

namespace AnFunctions.Infrastructure.Tests.Compute;

/// <summary><see cref="ArmVmSizeSource"/> with the real Azure SDK against the ARM emulator's resource SKU list.</summary>
public sealed class ArmVmSizeSourceTests
{
    private readonly ArmEmulator _emulator = new();
    private readonly ArmVmSizeSource _source;

    public ArmVmSizeSourceTests() => _source = new ArmVmSizeSource(EmulatorConnection.Create(_emulator));

    private async Task<VmSizeCapability> ReadOneAsync(string name, string location = "westeurope")
    {
        var sizes = await _source.ListAsync(Subscription, location, CancellationToken.None);
        return Assert.Single(sizes, s => s.Name == name);
    }

    [Theory]
    [InlineData("True", true)]
    [InlineData("False", false)]
    [InlineData("true", true)]
    [InlineData(" True ", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public async Task ListAsync_AcceleratedNetworkingCapability_ReadAsCapableOnlyWhenTrue(string? value, bool capable)
    {
        _emulator.SetSkus([Sku("Standard_D4s_v5", "westeurope", value)]);

        var size = await ReadOneAsync("Standard_D4s_v5");

        Assert.Equal(capable, size.AcceleratedNetworkingCapable);
        Assert.True(size.Available);
        Assert.Null(size.RestrictionReason);
        Assert.Equal(capable, size.SupportsAcceleratedNetworking);
    }

    [Theory]
    [InlineData("NotAvailableForSubscription")]
    [InlineData("QuotaId")]
    public async Task ListAsync_LocationRestrictionForTheRegion_UnavailableWithReason(string reasonCode)
    {
        _emulator.SetSkus([Sku("Standard_D96s_v5", "westeurope", "True", LocationRestriction("westeurope", reasonCode))]);

        var size = await ReadOneAsync("Standard_D96s_v5");

        Assert.True(size.AcceleratedNetworkingCapable);
        Assert.False(size.Available);
        Assert.Equal(reasonCode, size.RestrictionReason);
        Assert.False(size.SupportsAcceleratedNetworking);
    }

    [Fact]
    public async Task ListAsync_LocationRestrictionSpelledWithDisplayName_StillMatchesTheRegion()
    {
        _emulator.SetSkus([Sku("Standard_D96s_v5", "westeurope", "True", LocationRestriction("West Europe"))]);

        var size = await ReadOneAsync("Standard_D96s_v5");

        Assert.False(size.Available);
    }

    [Fact]
    public async Task ListAsync_ZoneOnlyRestriction_StillAvailable()
    {
        _emulator.SetSkus([Sku("Standard_E4s_v5", "westeurope", "True", ZoneRestriction("westeurope", "1", "3"))]);

        var size = await ReadOneAsync("Standard_E4s_v5");

        Assert.True(size.Available);
        Assert.Null(size.RestrictionReason);
        Assert.True(size.SupportsAcceleratedNetworking);
    }

    [Fact]
    public async Task ListAsync_RestrictionForAnotherRegion_StillAvailable()
    {
        _emulator.SetSkus([Sku("Standard_E4s_v5", "westeurope", "True", LocationRestriction("northeurope"))]);

        var size = await ReadOneAsync("Standard_E4s_v5");

        Assert.True(size.Available);
        Assert.True(size.SupportsAcceleratedNetworking);
    }

    [Fact]
    public async Task ListAsync_OtherResourceTypes_Ignored()
    {
        var disk = Sku("Premium_LRS", "westeurope", "True");
        disk["resourceType"] = "disks";
        var availabilitySet = Sku("Aligned", "westeurope", null);
        availabilitySet["resourceType"] = "availabilitySets";
        _emulator.SetSkus([disk, Sku("Standard_D4s_v5", "westeurope", "True"), availabilitySet]);

        var sizes = await _source.ListAsync(Subscription, "westeurope", CancellationToken.None);

        Assert.Equal(["Standard_D4s_v5"], sizes.Select(s => s.Name));
    }

    [Fact]
    public async Task ListAsync_OneRegion_OneFilteredCallAndOnlyThatRegionsSizes()
    {
        _emulator.SetSkus(
        [
            Sku("Standard_D4s_v5", "westeurope", "True"),
            Sku("Standard_B2s", "westeurope", "False"),
            Sku("Standard_D4s_v5", "eastus", "True", LocationRestriction("eastus")),
        ]);

        var sizes = await _source.ListAsync(Subscription, "westeurope", CancellationToken.None);

        Assert.Equal(["Standard_D4s_v5", "Standard_B2s"], sizes.Select(s => s.Name));
        Assert.All(sizes, s => Assert.True(s.Available));
        var request = Assert.Single(_emulator.RequestLog);
        Assert.Equal(ArmCallKind.ListSkus, request.Kind);
        Assert.StartsWith($"/subscriptions/{Subscription}/providers/Microsoft.Compute/skus?", request.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("location eq 'westeurope'", Uri.UnescapeDataString(request.PathAndQuery), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("west europe'; drop")]
    [InlineData("westeurope' or location eq 'eastus")]
    [InlineData("westeurope&$top=1")]
    [InlineData("")]
    public async Task ListAsync_InvalidLocation_ThrowsArgumentExceptionBeforeAnyCall(string location)
    {
        _emulator.SetSkus([Sku("Standard_D4s_v5", "westeurope", "True")]);

        await Assert.ThrowsAsync<ArgumentException>(() => _source.ListAsync(Subscription, location, CancellationToken.None));

        Assert.Equal(0, _emulator.TotalCalls);
    }

    [Fact]
    public async Task ListAsync_Forbidden_ThrowsTerminalArmRequestException()
    {
        _emulator.FailNext(ArmCallKind.ListSkus, 403, "AuthorizationFailed");

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => _source.ListAsync(Subscription, "westeurope", CancellationToken.None));

        Assert.Equal(403, error.Status);
        Assert.Equal("AuthorizationFailed", error.ErrorCode);
        Assert.False(error.IsTransient);
    }
}
