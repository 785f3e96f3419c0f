using AnFunctions.Core.Arm;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Tests.Arm;

/// <summary><see cref="ArmCallMeter"/>: ARM calls counted apart from Table round trips (<see cref="TableCallMeter"/>).</summary>
public sealed class ArmCallMeterTests
{
    [Fact]
    public void Record_OpenScopes_CountsOnTheArmMeterOnly()
    {
        using var arm = ArmCallMeter.Begin();
        using var table = TableCallMeter.Begin();

        ArmCallMeter.Record("get");
        ArmCallMeter.Record("get");
        ArmCallMeter.Record("put");

        Assert.Equal(new Dictionary<string, int> { ["get"] = 2, ["put"] = 1 }, arm.Counts);
        Assert.Equal(0, table.Total);
    }

    [Fact]
    public void Begin_BothDisposed_CountNoMore()
    {
        var arm = ArmCallMeter.Begin();
        var table = TableCallMeter.Begin();
        table.Dispose();
        arm.Dispose();

        ArmCallMeter.Record("get");
        TableCallMeter.Record("Read");

        Assert.Equal(0, arm.Total);
        Assert.Equal(0, table.Total);
    }
}
