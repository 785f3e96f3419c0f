using AnFunctions.Core.Arm;
using AnFunctions.Infrastructure.Arm;

namespace AnFunctions.Infrastructure.Tests.Compute;

public sealed class ArmCallMeterPolicyTests
{
    private const string ScaleSet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss";

    [Theory]
    [InlineData("GET", "/subscriptions", "ListSubscriptions")]
    [InlineData("GET", "/subscriptions/s/providers/Microsoft.Compute/skus", "ListSkus")]
    [InlineData("GET", "/subscriptions/s/providers/Microsoft.Insights/eventtypes/management/values", "ActivityLog")]
    [InlineData("GET", "/subscriptions/s/providers/Microsoft.Compute/virtualMachineScaleSets", "ListScaleSets")]
    [InlineData("GET", ScaleSet + "/virtualMachines", "ListInstances")]
    [InlineData("GET", ScaleSet, "GetScaleSet")]
    [InlineData("PATCH", ScaleSet, "PatchScaleSet")]
    [InlineData("PUT", ScaleSet, "WriteScaleSet")]
    [InlineData("POST", ScaleSet + "/deallocate", "InstanceAction")]
    [InlineData("POST", ScaleSet + "/manualupgrade", "InstanceAction")]
    [InlineData("GET", "/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations/0b5a", "PollOperation")]
    [InlineData("GET", "/subscriptions/s/resourceGroups/rg", "Other")]
    public void Classify_Request_NamesTheKindOfCall(string method, string path, string kind)
    {
        Assert.Equal(kind, ArmCallMeterPolicy.Classify(method, path));
    }

    [Fact]
    public void Meter_NestedScopes_CountIntoEveryOpenScopeOnly()
    {
        ArmCallMeter.Record("Before");
        using var outer = ArmCallMeter.Begin();
        ArmCallMeter.Record("ListSkus");
        using (var inner = ArmCallMeter.Begin())
        {
            ArmCallMeter.Record("GetScaleSet");
            Assert.Equal(1, inner.Total);
        }

        ArmCallMeter.Record("ListSkus");

        Assert.Equal(new Dictionary<string, int> { ["GetScaleSet"] = 1, ["ListSkus"] = 2 }, outer.Counts);
    }
}
