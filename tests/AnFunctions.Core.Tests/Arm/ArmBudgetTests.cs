using AnFunctions.Core.Arm;
using Microsoft.Extensions.Time.Testing;

namespace AnFunctions.Core.Tests.Arm;

/// <summary>
/// <see cref="ArmBudget"/> on a fake clock: the room left (at the limit, a tick past it), what it counts, and the
/// scope: open for the flow that began it and the tasks it starts, nested budgets, and closed again on dispose.
/// </summary>
public sealed class ArmBudgetTests
{
    private readonly FakeTimeProvider _time = new(TestData.Now);

    [Fact]
    public void Limits_Always_EventGridsThirtySecondsLessFive()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), ArmBudget.EventGridAnswerWindow);
        Assert.Equal(TimeSpan.FromSeconds(25), ArmBudget.DeliveryLimit);
    }

    [Fact]
    public void Begin_NoClock_Throws()
    {
        var e = Assert.Throws<ArgumentNullException>(() => ArmBudget.Begin(null!, ArmBudget.DeliveryLimit));

        Assert.Equal("time", e.ParamName);
        Assert.Null(ArmBudget.Current);
    }

    [Fact]
    public void Begin_Clock_StartsNowWithNothingSpent()
    {
        using var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));

        Assert.Same(budget, ArmBudget.Current);
        Assert.Equal(TestData.Now, budget.Started);
        Assert.Equal(TimeSpan.FromSeconds(25), budget.Limit);
        Assert.Equal(TimeSpan.Zero, budget.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(25), budget.Remaining);
        Assert.Equal(0, budget.Tries);
        Assert.Equal(TimeSpan.Zero, budget.Waited);
    }

    [Fact]
    public void ElapsedAndRemaining_ClockMoves_FollowIt()
    {
        using var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(10), budget.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(15), budget.Remaining);

        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(30), budget.Elapsed);
        Assert.Equal(TimeSpan.FromSeconds(-5), budget.Remaining);
    }

    [Theory]
    [InlineData(0, 25_000, true)]
    [InlineData(0, 24_999, true)]
    [InlineData(0, 25_001, false)]
    [InlineData(10_000, 15_000, true)]
    [InlineData(10_000, 15_001, false)]
    [InlineData(25_000, 0, true)]
    [InlineData(25_001, 0, false)]
    [InlineData(30_000, 1, false)]
    public void HasRoomFor_Duration_TrueOnlyWhenItEndsWithinTheLimit(int elapsedMs, int durationMs, bool expected)
    {
        using var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));
        _time.Advance(TimeSpan.FromMilliseconds(elapsedMs));

        Assert.Equal(expected, budget.HasRoomFor(TimeSpan.FromMilliseconds(durationMs)));
    }

    [Fact]
    public void HasRoomFor_OneTickPastTheLimit_False()
    {
        using var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(budget.HasRoomFor(TimeSpan.FromSeconds(20)));
        Assert.False(budget.HasRoomFor(TimeSpan.FromSeconds(20) + TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void RecordTryAndWait_Repeated_CountTriesAndAddWaits()
    {
        using var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));

        budget.RecordTry();
        budget.RecordTry();
        budget.RecordTry();
        budget.RecordWait(TimeSpan.FromSeconds(2));
        budget.RecordWait(TimeSpan.FromMilliseconds(500));

        Assert.Equal(3, budget.Tries);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), budget.Waited);
        Assert.Equal(TimeSpan.Zero, budget.Elapsed);
    }

    [Fact]
    public async Task RecordTry_FromManyTasks_CountsEveryOne()
    {
        using var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));

        await Task.WhenAll(Enumerable.Range(0, 500).Select(_ => Task.Run(() =>
        {
            ArmBudget.Current!.RecordTry();
            ArmBudget.Current!.RecordWait(TimeSpan.FromTicks(3));
        })));

        Assert.Equal(500, budget.Tries);
        Assert.Equal(TimeSpan.FromTicks(1500), budget.Waited);
    }

    [Fact]
    public void Dispose_OnlyBudget_NoneIsOpenAgain()
    {
        Assert.Null(ArmBudget.Current);
        var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));

        budget.Dispose();

        Assert.Null(ArmBudget.Current);
    }

    [Fact]
    public void Begin_Nested_InnerIsCurrentUntilDisposedThenTheOuter()
    {
        using var outer = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));
        _time.Advance(TimeSpan.FromSeconds(3));
        var inner = ArmBudget.Begin(_time, TimeSpan.FromSeconds(5));

        Assert.Same(inner, ArmBudget.Current);
        Assert.Equal(TestData.Now.AddSeconds(3), inner.Started);
        Assert.Equal(TimeSpan.FromSeconds(5), inner.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(22), outer.Remaining);

        inner.Dispose();

        Assert.Same(outer, ArmBudget.Current);
    }

    [Fact]
    public void Dispose_OuterWhileInnerIsOpen_InnerStaysCurrentThenNoneIsOpen()
    {
        var outer = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));
        var inner = ArmBudget.Begin(_time, TimeSpan.FromSeconds(5));

        outer.Dispose();
        Assert.Same(inner, ArmBudget.Current);

        // The outer budget was closed: it does not come back.
        inner.Dispose();
        Assert.Null(ArmBudget.Current);
    }

    [Fact]
    public void Dispose_MiddleOfThreeOutOfOrder_TheInnermostGivesWayToTheOuterStillOpen()
    {
        using var outer = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));
        var middle = ArmBudget.Begin(_time, TimeSpan.FromSeconds(10));
        var inner = ArmBudget.Begin(_time, TimeSpan.FromSeconds(5));

        middle.Dispose();
        inner.Dispose();

        Assert.Same(outer, ArmBudget.Current);
    }

    [Fact]
    public async Task Current_InATaskTheFlowStarted_IsTheFlowsBudget()
    {
        using var budget = ArmBudget.Begin(_time, TimeSpan.FromSeconds(25));

        var seen = await Task.Run(() => ArmBudget.Current);

        Assert.Same(budget, seen);
    }

    [Fact]
    public async Task Begin_InAnotherTask_NotOpenForTheFlowThatStartedIt()
    {
        var theirs = await Task.Run(() => ArmBudget.Begin(_time, TimeSpan.FromSeconds(25)));

        Assert.NotNull(theirs);
        Assert.Null(ArmBudget.Current);
    }
}
