using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace AnFunctions.Core.Tests.Decisions;

public sealed class WriteFollowUpTests
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMinutes(30);
    private const string Url = "https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations/op-1?api-version=2024-11-01";

    private static PendingWrite Intent(PendingWriteState state = PendingWriteState.Intended, TimeSpan? age = null, string? error = null, bool accepted = false) => new()
    {
        Id = "intent-1",
        StartedAt = TestData.Now - (age ?? TimeSpan.FromSeconds(5)),
        Attempt = 1,
        State = state,
        OperationUrl = accepted ? Url : null,
        AcceptedAt = accepted ? TestData.Now - (age ?? TimeSpan.FromSeconds(5)) : null,
        ErrorCode = error,
    };

    public static TheoryData<string, PendingWrite, ScaleSetSnapshot, OperationStatus?, bool, WriteProgress> Cases() => new()
    {
        { "accepted, operation succeeded", Intent(PendingWriteState.Accepted, accepted: true), TestData.ScaleSet(an: true), OperationStatus.Succeeded, false, WriteProgress.Succeeded },
        { "accepted, operation still running", Intent(PendingWriteState.Accepted, accepted: true), TestData.ScaleSet(an: true, provisioningState: "Updating"), OperationStatus.InProgress, false, WriteProgress.InProgress },
        { "accepted, running past Arm:OperationTimeout", Intent(PendingWriteState.Accepted, TimeSpan.FromHours(1), accepted: true), TestData.ScaleSet(an: true, provisioningState: "Updating"), OperationStatus.InProgress, false, WriteProgress.Failed },
        { "accepted, operation failed", Intent(PendingWriteState.Accepted, accepted: true), TestData.ScaleSet(an: false, provisioningState: "Failed"), new OperationStatus(OperationState.Failed, "LinkedAuthorizationFailed", "no join permission"), false, WriteProgress.Failed },
        { "accepted, operation canceled", Intent(PendingWriteState.Accepted, accepted: true), TestData.ScaleSet(an: false), new OperationStatus(OperationState.Canceled, "OperationCanceled"), false, WriteProgress.Failed },
        { "accepted, ARM forgot the operation, AN on", Intent(PendingWriteState.Accepted, accepted: true), TestData.ScaleSet(an: true), new OperationStatus(OperationState.Unknown), false, WriteProgress.Succeeded },
        { "accepted, ARM forgot the operation, pool Failed", Intent(PendingWriteState.Accepted, accepted: true), TestData.ScaleSet(an: false, provisioningState: "Failed"), new OperationStatus(OperationState.Unknown), false, WriteProgress.Failed },
        { "accepted, ARM forgot the operation, AN off", Intent(PendingWriteState.Accepted, accepted: true), TestData.ScaleSet(an: false), new OperationStatus(OperationState.Unknown), false, WriteProgress.Failed },
        { "intended a moment ago by another reconcile", Intent(age: TimeSpan.FromSeconds(5)), TestData.ScaleSet(an: false), null, false, WriteProgress.InFlightElsewhere },
        { "intended by this reconcile", Intent(age: TimeSpan.FromSeconds(5)), TestData.ScaleSet(an: false), null, true, WriteProgress.NotSent },
        { "intended long ago, the write arrived", Intent(age: TimeSpan.FromMinutes(5)), TestData.ScaleSet(an: true), null, false, WriteProgress.Succeeded },
        { "intended long ago, ARM still busy", Intent(age: TimeSpan.FromMinutes(5)), TestData.ScaleSet(an: true, provisioningState: "Updating"), null, false, WriteProgress.InProgress },
        { "intended long ago, never arrived", Intent(age: TimeSpan.FromMinutes(5)), TestData.ScaleSet(an: false), null, false, WriteProgress.NotSent },
        { "sent without an answer, it arrived", Intent(PendingWriteState.Failed, error: PendingWrite.NoAnswer), TestData.ScaleSet(an: true), null, false, WriteProgress.Succeeded },
        { "sent without an answer, it did not", Intent(PendingWriteState.Failed, error: PendingWrite.NoAnswer), TestData.ScaleSet(an: false), null, false, WriteProgress.NotSent },
        { "refused (429)", Intent(PendingWriteState.Failed, error: "TooManyRequests"), TestData.ScaleSet(an: false), null, false, WriteProgress.Failed },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assess_PendingWrite_SaysWhereItStands(string name, PendingWrite pending, ScaleSetSnapshot scaleSet, OperationStatus? operation, bool ours, WriteProgress expected)
    {
        var verdict = WriteFollowUp.Assess(pending, scaleSet, operation, TestData.Now, OperationTimeout, ours);

        Assert.True(expected == verdict.Progress, $"{name}: {verdict}");
    }

    [Fact]
    public void Assess_FailedOperation_CarriesArmsErrorAndWhetherItIsTransient()
    {
        var pending = Intent(PendingWriteState.Accepted, accepted: true);

        var internalError = WriteFollowUp.Assess(pending, TestData.ScaleSet(), new OperationStatus(OperationState.Failed, "InternalExecutionError", "retry later"), TestData.Now, OperationTimeout, ours: false);
        var forbidden = WriteFollowUp.Assess(pending, TestData.ScaleSet(), new OperationStatus(OperationState.Failed, "LinkedAuthorizationFailed", "no join"), TestData.Now, OperationTimeout, ours: false);

        Assert.Equal(("InternalExecutionError", "retry later", true), (internalError.ErrorCode, internalError.ErrorMessage, internalError.Transient));
        Assert.Equal(("LinkedAuthorizationFailed", false), (forbidden.ErrorCode, forbidden.Transient));
    }

    [Theory]
    [InlineData("InternalExecutionError", true)]
    [InlineData("internalservererror", true)]
    [InlineData("RetryableError", true)]
    [InlineData("OperationPreempted", true)]
    [InlineData("AllocationFailed", true)]
    [InlineData("TooManyRequests", true)]
    [InlineData("LinkedAuthorizationFailed", false)]
    [InlineData("VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", false)]
    [InlineData("RequestDisallowedByPolicy", false)]
    [InlineData("InvalidParameter", false)]
    [InlineData(null, false)]
    public void IsTransient_ArmErrorCode_OnlyWhatMaySucceedWhenTriedAgain(string? code, bool expected)
    {
        Assert.Equal(expected, WriteFollowUp.IsTransient(code));
    }

    [Fact]
    public async Task WaitAsync_OperationFinishesOnTheThirdPoll_PollsEveryTwoSecondsOnTheClock()
    {
        var (followUp, client, clock) = Build();
        client.GetOperationAsync(Url, Arg.Any<CancellationToken>())
            .Returns(OperationStatus.InProgress, OperationStatus.InProgress, OperationStatus.Succeeded);

        var status = await followUp.WaitAsync(new WriteAccepted(200, Url, "Updating"), CancellationToken.None);

        Assert.Equal(OperationState.Succeeded, status.State);
        await client.Received(3).GetOperationAsync(Url, Arg.Any<CancellationToken>());
        Assert.Equal(TestData.Now.AddSeconds(4), clock.GetUtcNow());
    }

    [Fact]
    public async Task WaitAsync_OperationNeverFinishes_StopsWithinArmOperationWaitAndSaysInProgress()
    {
        var (followUp, client, clock) = Build(new ArmOptions { OperationWait = TimeSpan.FromSeconds(8) });
        client.GetOperationAsync(Url, Arg.Any<CancellationToken>()).Returns(OperationStatus.InProgress);

        var status = await followUp.WaitAsync(new WriteAccepted(200, Url, "Updating"), CancellationToken.None);

        Assert.Equal(OperationState.InProgress, status.State);
        Assert.Equal(TestData.Now.AddSeconds(8), clock.GetUtcNow());
        await client.Received(5).GetOperationAsync(Url, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task WaitAsync_RetryAfterOfTheOperation_IsTheWaitBetweenPolls()
    {
        var (followUp, client, clock) = Build();
        client.GetOperationAsync(Url, Arg.Any<CancellationToken>())
            .Returns(OperationStatus.InProgress with { RetryAfter = TimeSpan.FromSeconds(5) }, OperationStatus.Succeeded);

        await followUp.WaitAsync(new WriteAccepted(200, Url, "Updating"), CancellationToken.None);

        Assert.Equal(TestData.Now.AddSeconds(5), clock.GetUtcNow());
    }

    [Fact]
    public async Task WaitAsync_DeliveryBudgetAlmostSpent_NoWaitThatWouldLeaveNoRoomForAPoll()
    {
        var (followUp, client, clock) = Build();
        client.GetOperationAsync(Url, Arg.Any<CancellationToken>()).Returns(OperationStatus.InProgress);
        using var budget = ArmBudget.Begin(clock, ArmBudget.DeliveryLimit);
        clock.Advance(TimeSpan.FromSeconds(18));

        var status = await followUp.WaitAsync(new WriteAccepted(200, Url, "Updating"), CancellationToken.None);

        // 18 s spent; a 2 s wait and a 6 s try would end at 26 s, past the 25 s a delivery may spend.
        Assert.Equal(OperationState.InProgress, status.State);
        await client.Received(1).GetOperationAsync(Url, Arg.Any<CancellationToken>());
        Assert.Equal(TestData.Now.AddSeconds(18), clock.GetUtcNow());
    }

    [Fact]
    public async Task WaitAsync_PollThrottled_TheWriteStaysAcceptedAndTheWaitEnds()
    {
        var (followUp, client, _) = Build();
        client.GetOperationAsync(Url, Arg.Any<CancellationToken>()).ThrowsAsync(new ArmRequestException(429, "TooManyRequests", "throttled"));

        var status = await followUp.WaitAsync(new WriteAccepted(200, Url, "Updating"), CancellationToken.None);

        Assert.Equal(OperationState.InProgress, status.State);
    }

    [Theory]
    [InlineData("Succeeded", OperationState.Succeeded)]
    [InlineData(null, OperationState.Succeeded)]
    [InlineData("Updating", OperationState.InProgress)]
    public async Task WaitAsync_NoOperationUrl_TheAnswersProvisioningStateSays(string? state, OperationState expected)
    {
        var (followUp, client, _) = Build();

        var status = await followUp.WaitAsync(new WriteAccepted(200, null, state), CancellationToken.None);

        Assert.Equal(expected, status.State);
        await client.DidNotReceiveWithAnyArgs().GetOperationAsync(default!, default);
    }

    [Theory]
    [InlineData("InternalServerError")]
    [InlineData("InternalExecutionError")]
    [InlineData("InternalOperationError")]
    [InlineData("RetryableError")]
    [InlineData("OperationPreempted")]
    [InlineData("ServiceUnavailable")]
    [InlineData("GatewayTimeout")]
    [InlineData("TooManyRequests")]
    [InlineData("Conflict")]
    [InlineData("AllocationFailed")]
    [InlineData("ZonalAllocationFailed")]
    [InlineData("OperationNotAllowed")]
    [InlineData("SubscriptionRequestsThrottled")]
    public void IsTransient_EachTransientCodeInAnyCase_True(string code)
    {
        Assert.True(WriteFollowUp.IsTransient(code), code);
        Assert.True(WriteFollowUp.IsTransient(code.ToUpperInvariant()), code.ToUpperInvariant());
        Assert.True(WriteFollowUp.IsTransient(code.ToLowerInvariant()), code.ToLowerInvariant());
    }

    [Theory]
    [InlineData("")]
    [InlineData("AuthorizationFailed")]
    [InlineData("InternalServerErrorX")]
    [InlineData("Conflic")]
    public void IsTransient_OtherCodeOrEmpty_False(string code)
    {
        Assert.False(WriteFollowUp.IsTransient(code));
    }

    [Fact]
    public async Task WaitAsync_NullAccepted_ThrowsNamingIt()
    {
        var (followUp, _, _) = Build();

        var e = await Assert.ThrowsAsync<ArgumentNullException>(() => followUp.WaitAsync(null!, CancellationToken.None));

        Assert.Equal("accepted", e.ParamName);
    }

    [Fact]
    public void Assess_NullPending_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentNullException>(() => WriteFollowUp.Assess(null!, TestData.ScaleSet(), null, TestData.Now, OperationTimeout, ours: false));

        Assert.Equal("pending", e.ParamName);
    }

    [Fact]
    public void Assess_NullScaleSetEvenForAFailureThatNeedsNoPool_ThrowsNamingIt()
    {
        var refused = Intent(PendingWriteState.Failed, error: "TooManyRequests");

        var e = Assert.Throws<ArgumentNullException>(() => WriteFollowUp.Assess(refused, null!, null, TestData.Now, OperationTimeout, ours: false));

        Assert.Equal("scaleSet", e.ParamName);
    }

    [Fact]
    public async Task WaitAsync_BudgetOpen_RecordsEachWaitBetweenPolls()
    {
        var (followUp, client, clock) = Build();
        client.GetOperationAsync(Url, Arg.Any<CancellationToken>())
            .Returns(OperationStatus.InProgress, OperationStatus.InProgress with { RetryAfter = TimeSpan.FromSeconds(3) }, OperationStatus.Succeeded);
        using var budget = ArmBudget.Begin(clock, ArmBudget.DeliveryLimit);

        var status = await followUp.WaitAsync(new WriteAccepted(200, Url, "Updating"), CancellationToken.None);

        Assert.Equal(OperationState.Succeeded, status.State);
        Assert.Equal(TimeSpan.FromSeconds(5), budget.Waited);
        Assert.Equal(TestData.Now.AddSeconds(5), clock.GetUtcNow());
    }

    [Theory]
    [InlineData(500, 1000)]
    [InlineData(999, 1000)]
    [InlineData(1000, 1000)]
    [InlineData(1500, 1500)]
    [InlineData(10000, 10000)]
    [InlineData(10001, 10000)]
    [InlineData(11000, 10000)]
    public async Task WaitAsync_RetryAfterOutsideOneToTenSeconds_ClampedIntoThem(int askedMs, int expectedMs)
    {
        var (followUp, client, clock) = Build(new ArmOptions { OperationWait = TimeSpan.FromSeconds(20) });
        client.GetOperationAsync(Url, Arg.Any<CancellationToken>())
            .Returns(OperationStatus.InProgress with { RetryAfter = TimeSpan.FromMilliseconds(askedMs) }, OperationStatus.Succeeded);

        var status = await followUp.WaitAsync(new WriteAccepted(200, Url, "Updating"), CancellationToken.None);

        Assert.Equal(OperationState.Succeeded, status.State);
        await client.Received(2).GetOperationAsync(Url, Arg.Any<CancellationToken>());
        Assert.Equal(TestData.Now.AddMilliseconds(expectedMs), clock.GetUtcNow());
    }

    [Fact]
    public void Assess_AcceptedLongAfterItWasIntended_TimeoutCountsFromAcceptance()
    {
        var pending = Intent(PendingWriteState.Accepted, TimeSpan.FromHours(1), accepted: true) with { AcceptedAt = TestData.Now - TimeSpan.FromMinutes(1) };

        var verdict = WriteFollowUp.Assess(pending, TestData.ScaleSet(an: true, provisioningState: "Updating"), OperationStatus.InProgress, TestData.Now, OperationTimeout, ours: false);

        Assert.Equal(WriteVerdict.InProgress, verdict);
    }

    [Fact]
    public void Assess_AcceptedWithoutAcceptanceTime_TimeoutCountsFromTheStartAndNamesIt()
    {
        var pending = Intent(PendingWriteState.Accepted, TimeSpan.FromMinutes(31), accepted: true) with { AcceptedAt = null };

        var verdict = WriteFollowUp.Assess(pending, TestData.ScaleSet(an: true, provisioningState: "Updating"), OperationStatus.InProgress, TestData.Now, OperationTimeout, ours: false);

        Assert.Equal(new WriteVerdict(WriteProgress.Failed, "OperationTimedOut", "the operation had not finished 00:30:00 after ARM accepted the write"), verdict);
    }

    [Theory]
    [InlineData(29_999, WriteProgress.InFlightElsewhere)]
    [InlineData(30_000, WriteProgress.NotSent)]
    [InlineData(30_001, WriteProgress.NotSent)]
    public void Assess_IntentOfAnotherReconcile_InFlightElsewhereOnlyWithinTheLease(int ageMs, WriteProgress expected)
    {
        Assert.Equal(TimeSpan.FromSeconds(30), WriteFollowUp.IntentLease);
        var pending = Intent(age: TimeSpan.FromMilliseconds(ageMs));

        var verdict = WriteFollowUp.Assess(pending, TestData.ScaleSet(an: false), null, TestData.Now, OperationTimeout, ours: false);

        Assert.Equal(new WriteVerdict(expected), verdict);
    }

    [Theory]
    [InlineData(PendingWriteState.Accepted, "Failed")]
    [InlineData(PendingWriteState.Accepted, "failed")]
    [InlineData(PendingWriteState.Intended, "Failed")]
    public void Assess_PoolFailedWithoutAn_ProvisioningFailedTransient(PendingWriteState state, string provisioningState)
    {
        var pending = Intent(state, TimeSpan.FromMinutes(5), accepted: state == PendingWriteState.Accepted);

        var verdict = WriteFollowUp.Assess(pending, TestData.ScaleSet(an: false, provisioningState: provisioningState), new OperationStatus(OperationState.Unknown), TestData.Now, OperationTimeout, ours: false);

        Assert.Equal(new WriteVerdict(WriteProgress.Failed, "ProvisioningFailed", "the scale set's provisioningState is Failed and AN is not on", Transient: true), verdict);
    }

    [Fact]
    public void Assess_AcceptedButThePoolHasNoAn_WriteNotAppliedTransient()
    {
        var pending = Intent(PendingWriteState.Accepted, accepted: true);

        var verdict = WriteFollowUp.Assess(pending, TestData.ScaleSet(an: false), new OperationStatus(OperationState.Unknown), TestData.Now, OperationTimeout, ours: false);

        Assert.Equal(new WriteVerdict(WriteProgress.Failed, "WriteNotApplied", "ARM accepted the write but the model does not have AN", Transient: true), verdict);
    }

    private static (WriteFollowUp FollowUp, IScaleSetClient Client, SteppingClock Clock) Build(ArmOptions? options = null)
    {
        var client = Substitute.For<IScaleSetClient>();
        var clock = new SteppingClock(TestData.Now);
        var monitor = Substitute.For<IOptionsMonitor<ArmOptions>>();
        monitor.CurrentValue.Returns(options ?? new ArmOptions());
        return (new WriteFollowUp(client, monitor, clock), client, clock);
    }

    /// <summary>A fake clock on which a wait moves time at once (as the emulator's VirtualClock does).</summary>
    private sealed class SteppingClock(DateTimeOffset start) : FakeTimeProvider(start)
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
            {
                Advance(dueTime);
            }

            return timer;
        }
    }
}
