using AnFunctions.Core.Decisions;

namespace AnFunctions.Core.Tests.Decisions;

/// <summary><see cref="ReconcileTriggers.Name"/> for a value outside the enum: refused, saying what and which.</summary>
public sealed class ReconcileTriggerNameTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void Name_ValueOutsideTheEnum_ThrowsNamingItAndTheValue(int value)
    {
        var trigger = (ReconcileTrigger)value;

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => trigger.Name());

        Assert.Equal("trigger", e.ParamName);
        Assert.Equal(trigger, e.ActualValue);
        Assert.StartsWith("not a reconcile trigger (Parameter 'trigger')", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Name_EveryDefinedTrigger_IsItsEnumNameInLowerCase() =>
        Assert.All(Enum.GetValues<ReconcileTrigger>(), t => Assert.Equal(t.ToString().ToLowerInvariant(), t.Name()));
}
