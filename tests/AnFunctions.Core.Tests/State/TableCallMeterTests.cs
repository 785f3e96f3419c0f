using AnFunctions.Core.Arm;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Tests.State;

/// <summary><see cref="TableCallMeter"/>: Table round trips counted apart from ARM calls (<see cref="ArmCallMeter"/>).</summary>
public sealed class TableCallMeterTests
{
    [Fact]
    public void Record_OpenScopes_CountsOnTheTableMeterOnly()
    {
        using var arm = ArmCallMeter.Begin();
        using var table = TableCallMeter.Begin();

        TableCallMeter.Record("Read");
        TableCallMeter.Record("Transaction");
        TableCallMeter.Record("Read");

        Assert.Equal(new Dictionary<string, int> { ["Read"] = 2, ["Transaction"] = 1 }, table.Counts);
        Assert.Equal(0, arm.Total);
    }
}
