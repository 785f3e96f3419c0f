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
