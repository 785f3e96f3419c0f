using AnFunctions.Core.Decisions;

namespace AnFunctions.Core.Tests.Decisions;

public sealed class ReconcileTriggerTests
{
    [Theory]
    [InlineData(ReconcileTrigger.Event, "event")]
    [InlineData(ReconcileTrigger.Audit, "audit")]
    [InlineData(ReconcileTrigger.Http, "http")]
    [InlineData(ReconcileTrigger.Cli, "cli")]
    public void Name_EachTrigger_IsTheWordStoredDecisionsCarry(ReconcileTrigger trigger, string expected) =>
        Assert.Equal(expected, trigger.Name());

    [Fact]
    public void Name_EveryTrigger_HasOneAndNoTwoShareIt()
    {
        var names = Enum.GetValues<ReconcileTrigger>().Select(t => t.Name()).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(ReconcileTrigger.Audit, DecisionReason.ExistingPoolKnown, false, false)]
    [InlineData(ReconcileTrigger.Audit, DecisionReason.AksManaged, false, false)]
    [InlineData(ReconcileTrigger.Audit, DecisionReason.AksManaged, true, true)]
    [InlineData(ReconcileTrigger.Audit, DecisionReason.ExistingPoolOutsideWindow, false, true)]
    [InlineData(ReconcileTrigger.Event, DecisionReason.ExistingPoolKnown, false, true)]
    [InlineData(ReconcileTrigger.Http, DecisionReason.ExistingPoolKnown, false, true)]
    public void IsWorthRecording_OnlyTheAuditsRoutineIsLeftOut(ReconcileTrigger trigger, DecisionReason reason, bool newPool, bool expected) =>
        Assert.Equal(expected, PoolReconciler.IsWorthRecording(trigger, new PoolDecision(DecisionOutcome.NoChange, reason, "x", IsNewPool: newPool, Write: null)));
}
