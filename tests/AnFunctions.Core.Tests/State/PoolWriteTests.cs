using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Tests.State;

public sealed class PoolWriteTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 1, 0, 0, TimeSpan.Zero);
    private static readonly ScaleSetId Pool = ScaleSetId.Create("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "rg", "pool");
    private static readonly ScaleSetId Other = ScaleSetId.Create("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "rg", "other");

    [Fact]
    public void Constructor_DecisionAboutAnotherPool_IsRefusedNamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => new PoolWrite(Record(), Decision(Other)));

        Assert.Equal("decision", e.ParamName);
        Assert.Contains(Other.Value, e.Message, StringComparison.Ordinal);
        Assert.Contains(Pool.Value, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/subscriptions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/other")]
    [InlineData("not a resource id")]
    public void Constructor_MarkOfAnEventAboutSomethingElse_IsRefused(string subject)
    {
        var e = Assert.Throws<ArgumentException>(() => new PoolWrite(Record(), null, new ProcessedEvent("evt", "type", subject, At, "Handled")));

        Assert.Equal("processed", e.ParamName);
        Assert.Contains("evt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DecisionAndMarkOfThePoolInAnotherCase_AreKept()
    {
        var mark = new ProcessedEvent("evt", "type", Pool.Value.ToUpperInvariant(), At, "Handled");

        var write = new PoolWrite(Record(), Decision(ScaleSetId.Parse(Pool.Value.ToUpperInvariant())), mark);

        Assert.Same(mark, write.Processed);
        Assert.NotNull(write.Decision);
    }

    private static PoolRecord Record() => new() { Id = Pool, Location = "westeurope", VmSizes = ["Standard_D4s_v5"], FirstSeen = At, LastSeen = At };

    private static DecisionRecord Decision(ScaleSetId id) => new()
    {
        PoolId = id,
        At = At,
        Outcome = DecisionOutcome.NoChange,
        Reason = DecisionReason.ExistingPoolKnown,
        Explanation = "known",
        Trigger = "event",
    };

    [Fact]
    public void Constructor_WithoutRecord_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new PoolWrite(null!));
    }

    [Fact]
    public void StateStoreUnavailableException_StandardConstructors_SayWhat()
    {
        var inner = new TimeoutException();

        Assert.Equal("the state store is unavailable", new StateStoreUnavailableException().Message);
        Assert.Equal("down", new StateStoreUnavailableException("down").Message);
        Assert.Same(inner, new StateStoreUnavailableException("down", inner).InnerException);
    }
}
