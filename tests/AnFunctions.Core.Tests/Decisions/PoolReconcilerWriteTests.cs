using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Core.Tests.Events;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace AnFunctions.Core.Tests.Decisions;

/// <summary>
/// The write of a new pool through <see cref="PoolReconciler"/>, end to end over in-memory stores: the intent recorded
/// before the write, ARM's answer (accepted, refused for good or for now, no answer, 412), the operation it starts
/// (done at once, still running, failed transiently or for good, timed out), the follow-up of a write recorded by an
/// earlier call, and what each leaves in the pool's record, its decisions and its findings.
/// </summary>
public sealed class PoolReconcilerWriteTests
{
    private const string OperationUrl = "https://management.azure.com/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations/op-1";

    /// <summary>A pool created a minute ago without AN, no instance yet: the write goes out with nothing to disrupt.</summary>
    private static readonly ScaleSetSnapshot NewPool = TestData.ScaleSet(an: false, capacity: 0);

    private static readonly OperationStatus StillRunning = new(OperationState.InProgress, RetryAfter: TimeSpan.FromSeconds(10));

    private static OperationStatus Failed(string code) => new(OperationState.Failed, code, $"{code} happened");

    private static EventHarness Harness(ScaleSetSnapshot? scaleSet = null, string? operationUrl = OperationUrl)
    {
        var app = new EventHarness(scaleSet ?? NewPool);
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).Returns(new WriteAccepted(200, operationUrl, operationUrl is null ? "Succeeded" : "Updating"));
        return app;
    }

    /// <summary>The app's write of the pool, accepted by ARM a minute ago with its operation to follow.</summary>
    private static PendingWrite AcceptedAMinuteAgo(int attempt = 1) => new()
    {
        Id = "w",
        StartedAt = TestData.Now.AddMinutes(-1),
        Attempt = attempt,
        State = PendingWriteState.Accepted,
        AcceptedAt = TestData.Now.AddMinutes(-1),
        OperationUrl = OperationUrl,
    };

    /// <summary>The new pool recorded by an earlier call with <paramref name="pending"/> not concluded.</summary>
    private static Task RecordPendingAsync(EventHarness app, PendingWrite pending) =>
        app.Memory.SavePoolAsync(TestData.Record(NewPool) with { PendingWrite = pending, Version = null }, CancellationToken.None);

    private static Task<ReconcileResult> ReconcileAsync(EventHarness app, RunMode mode = RunMode.Apply) =>
        app.Reconciler.ReconcileAsync(new ReconcileRequest(app.Id, ReconcileTrigger.Http, Mode: mode), CancellationToken.None);

    private static async Task<PoolRecord> RecordAsync(EventHarness app) =>
        await app.Memory.GetPoolAsync(app.Id, CancellationToken.None) ?? throw new InvalidOperationException("no record");

    private static async Task<List<DecisionReason>> DecisionsAsync(EventHarness app) =>
        [.. (await app.Memory.GetDecisionsAsync(app.Id, 50, CancellationToken.None)).Reverse().Select(d => d.Reason)];

    private static async Task<Finding> OpenFindingAsync(EventHarness app, FindingKind kind) =>
        Assert.Single(await app.Findings.ListForPoolAsync(app.Id, CancellationToken.None), f => f.Kind == kind && f.IsOpen);

    private static Task SendCalls(EventHarness app, int count) => app.Arm.Received(count).SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>());

    [Fact]
    public async Task ReconcileAsync_WriteFinishedAtOnce_RecordsThePoolEnabledByTheApp()
    {
        var app = Harness(operationUrl: null);

        var result = await ReconcileAsync(app);

        Assert.Equal((DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled), (result.Decision.Outcome, result.Decision.Reason));
        Assert.True(result.WriteSent);
        Assert.True(result.NewlyRecorded);
        var record = await RecordAsync(app);
        Assert.Null(record.PendingWrite);
        Assert.True(record.EnabledByApp);
        Assert.True(record.AcceleratedNetworking);
        Assert.True(record.AcceleratedNetworkingAtCreation);
        Assert.Equal(TestData.Now, record.EnabledAt);
        Assert.Equal(TestData.Now, record.FirstSeen);
        Assert.Equal(0, record.InstancesNotOnLatestModel);
        // The intent (with the decision) and the conclusion: two saves, one decision row, no operation to poll.
        Assert.Equal(2, app.State.Calls(nameof(IStateStore.SavePoolAsync)));
        Assert.Equal([DecisionReason.NewPoolEnabled], await DecisionsAsync(app));
        await app.Arm.DidNotReceive().GetOperationAsync(Arg.Any<string>(), Arg.Any<CancellationToken>());
        // No instance to disrupt: the instances are not even listed.
        await app.Arm.DidNotReceive().ListInstancesAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>());
        Assert.Empty(await app.Findings.ListForPoolAsync(app.Id, CancellationToken.None));
    }

    [Fact]
    public async Task ReconcileAsync_WriteOnARunningManualPool_OpensTheMixedPoolFindingAtOnce()
    {
        var app = Harness(TestData.ScaleSet(an: false, capacity: 3), operationUrl: null);
        app.Arm.ListInstancesAsync(app.Id, Arg.Any<CancellationToken>()).Returns(TestData.Instances(running: 2, deallocated: 1));

        var result = await ReconcileAsync(app);

        Assert.True(result.WriteSent);
        var mixed = await OpenFindingAsync(app, FindingKind.NodesWithoutAcceleratedNetworking);
        Assert.Equal(FindingSeverity.Info, mixed.Severity);
        Assert.Equal("3 of 3 node(s) of nodepool-a1b2c run without AN", mixed.Message);
        Assert.True(mixed.Evidence.AcceleratedNetworking);
        Assert.Equal((3, 2), (mixed.Evidence.Nodes?.Total, mixed.Evidence.Nodes?.Running));
        Assert.Equal("Manual (no upgrade policy set)", mixed.Evidence.UpgradePolicy);
        Assert.Empty(mixed.Evidence.EventIds);
        Assert.Equal(3, (await RecordAsync(app)).InstancesNotOnLatestModel);
        Assert.Equal(3, (await RecordAsync(app)).Instances?.Total);
    }

    [Theory]
    [InlineData(true, "1", 1)]
    [InlineData(true, "2", 2)]
    [InlineData(false, "1", 0)]
    [InlineData(true, "0", 0)]
    public async Task ReconcileAsync_MixedPoolJustWritten_StartsARolloutOnlyWhenTheSettingsAllowOne(bool rolloutNewPools, string maxUnavailable, int batchSize)
    {
        var app = MixedPoolHarness(new() { RolloutNewPools = rolloutNewPools, MaxUnavailable = maxUnavailable });

        var result = await ReconcileAsync(app);

        Assert.True(result.WriteSent);
        await app.RolloutQueue.Received(batchSize == 0 ? 0 : 1).EnqueueAsync(Arg.Any<RolloutMessage>(), Arg.Any<CancellationToken>());
        // The rollout reads the pool again; no rollout, no second read.
        await app.Arm.Received(batchSize == 0 ? 1 : 2).GetAsync(app.Id, Arg.Any<CancellationToken>());
        var rollout = await app.Rollouts.GetActiveAsync(app.Id, CancellationToken.None);
        Assert.Equal(batchSize == 0 ? null : $"{batchSize} app", rollout is null ? null : $"{rollout.BatchSize} {rollout.Trigger}");
        await OpenFindingAsync(app, FindingKind.NodesWithoutAcceleratedNetworking);
    }

    [Fact]
    public async Task ReconcileAsync_RolloutOfAPoolJustWrittenCannotStart_TheWriteStillConcludes()
    {
        var app = MixedPoolHarness(new() { RolloutNewPools = true });
        app.RolloutQueue.EnqueueAsync(Arg.Any<RolloutMessage>(), Arg.Any<CancellationToken>()).ThrowsAsync(new StateStoreUnavailableException("queue down"));

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.NewPoolEnabled, result.Decision.Reason);
        Assert.True(result.WriteSent);
        Assert.True((await RecordAsync(app)).EnabledByApp);
    }

    [Fact]
    public async Task ReconcileAsync_ModelWrittenWithoutMixedNodes_StartsNoRolloutEvenWhenAllowed()
    {
        // Capacity 0: no node runs without AN, so there is nothing to roll out.
        var app = new EventHarness(NewPool, settings: new() { RolloutNewPools = true });
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).Returns(new WriteAccepted(200, OperationUrl, "Updating"));

        var result = await ReconcileAsync(app);

        Assert.True(result.WriteSent);
        await app.RolloutQueue.DidNotReceive().EnqueueAsync(Arg.Any<RolloutMessage>(), Arg.Any<CancellationToken>());
        Assert.Null(await app.Rollouts.GetActiveAsync(app.Id, CancellationToken.None));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReconcileAsync_WriteConcludedForAnEvent_MarksTheEventWithTheRecord(bool withEvent)
    {
        var app = Harness();
        var processed = withEvent ? new ProcessedEvent("evt-7", "Microsoft.Resources.ResourceWriteSuccess", app.Id.Value, TestData.Now, "handled") : null;

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(app.Id, ReconcileTrigger.Event, "evt-7", Processed: processed), CancellationToken.None);

        Assert.Equal(DecisionReason.NewPoolEnabled, result.Decision.Reason);
        Assert.Equal(withEvent, result.EventMarked);
        Assert.Equal(withEvent, await app.Memory.GetProcessedEventAsync(app.Id, "evt-7", CancellationToken.None) is not null);
    }

    [Fact]
    public async Task ReconcileAsync_WriteBlockedBySafety_NothingSentAndAWarningOpens()
    {
        var app = Harness(TestData.ScaleSet(an: false, capacity: 3, upgradePolicy: new UpgradePolicy(UpgradeMode.Automatic)));
        app.Arm.ListInstancesAsync(app.Id, Arg.Any<CancellationToken>()).Returns(TestData.Instances(running: 3));

        var result = await ReconcileAsync(app);

        Assert.Equal((DecisionReason.AutomaticUpgradePolicy, false, false), (result.Decision.Reason, result.WriteSent, result.EventMarked));
        Assert.Null(result.Pool);
        await SendCalls(app, 0);
        await OpenFindingAsync(app, FindingKind.AcceleratedNetworkingWriteBlocked);
    }

    [Fact]
    public async Task ReconcileAsync_BlockedWriteUnblockedInsideTheWindow_WritesAndResolvesTheBlockedFinding()
    {
        var blocked = TestData.ScaleSet(an: false, capacity: 3, upgradePolicy: new UpgradePolicy(UpgradeMode.Automatic));
        var app = Harness(blocked);
        app.Arm.ListInstancesAsync(app.Id, Arg.Any<CancellationToken>()).Returns(TestData.Instances(running: 3));
        await ReconcileAsync(app);
        // The operator switches the pool to Manual; the next event writes the model.
        app.Arm.GetAsync(app.Id, Arg.Any<CancellationToken>()).Returns(blocked with { UpgradePolicy = new UpgradePolicy(UpgradeMode.Manual) });

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.NewPoolEnabled, result.Decision.Reason);
        var findings = await app.Findings.ListForPoolAsync(app.Id, CancellationToken.None);
        Assert.Equal(FindingStatus.Resolved, Assert.Single(findings, f => f.Kind == FindingKind.AcceleratedNetworkingWriteBlocked).Status);
        Assert.Equal(FindingStatus.Open, Assert.Single(findings, f => f.Kind == FindingKind.NodesWithoutAcceleratedNetworking).Status);
    }

    [Fact]
    public async Task ReconcileAsync_LastAttemptsOperationFailedTransiently_FailsForGoodWithoutWritingAgain()
    {
        var app = Harness();
        await RecordPendingAsync(app, AcceptedAMinuteAgo(attempt: WriteFollowUp.MaxWriteAttempts));
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(Failed("InternalServerError"));

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.WriteFailed, result.Decision.Reason);
        Assert.EndsWith($"after {WriteFollowUp.MaxWriteAttempts} attempt(s)", result.Decision.Explanation);
        await SendCalls(app, 0);
        await OpenFindingAsync(app, FindingKind.AcceleratedNetworkingWriteFailed);
    }

    /// <summary>A new pool of three running nodes without AN (upgrade policy absent: the write changes the model only); read again with AN once written.</summary>
    private static EventHarness MixedPoolHarness(AcceleratedNetworkingOptions settings)
    {
        var app = new EventHarness(TestData.ScaleSet(an: false), settings: settings);
        app.Arm.GetAsync(app.Id, Arg.Any<CancellationToken>()).Returns(TestData.ScaleSet(an: false), TestData.ScaleSet(an: true));
        app.Arm.ListInstancesAsync(app.Id, Arg.Any<CancellationToken>()).Returns(TestData.Instances(running: 3));
        return app;
    }

    [Fact]
    public async Task ReconcileAsync_AnOnAfterTheAppsWriteWasRefused_ResolvesTheFailedWriteAndRecordsThePool()
    {
        var app = Harness();
        var refused = new PendingWrite { Id = "w", StartedAt = TestData.Now.AddMinutes(-2), Attempt = 1, State = PendingWriteState.Failed, ErrorCode = "Http503", ErrorMessage = "busy" };
        await RecordPendingAsync(app, refused);
        var evidence = new FindingEvidence { CurrentSizes = NewPool.VmSizes };
        await app.Engine.ApplyAsync(app.Id, new FindingEvaluation([FindingTexts.WriteFailed(NewPool, "earlier", evidence)], new HashSet<FindingKind> { FindingKind.AcceleratedNetworkingWriteFailed }), CancellationToken.None);
        app.ScaleSet = TestData.ScaleSet(an: true, capacity: 0);

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.AlreadyEnabled, result.Decision.Reason);
        await SendCalls(app, 0);
        Assert.Equal(FindingKind.AcceleratedNetworkingWriteFailed, Assert.Single(result.Findings!.Resolved).Kind);
        var record = await RecordAsync(app);
        Assert.Null(record.PendingWrite);
        Assert.True(record.AcceleratedNetworking);
        Assert.False(record.EnabledByApp);
        Assert.Equal(TestData.Now.AddDays(-3), record.FirstSeen);
    }

    [Fact]
    public async Task ReconcileAsync_OperationStillRunningAfterTheWait_RecordsTheWriteAcceptedAndPending()
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(StillRunning);

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.NewPoolEnabled, result.Decision.Reason);
        Assert.True(result.WriteSent);
        var record = await RecordAsync(app);
        var pending = Assert.IsType<PendingWrite>(record.PendingWrite);
        Assert.Equal((PendingWriteState.Accepted, OperationUrl, TestData.Now, 1), (pending.State, pending.OperationUrl, pending.AcceptedAt, pending.Attempt));
        Assert.Matches("^[0-9a-f]{32}$", pending.Id);
        Assert.False(record.EnabledByApp);
        Assert.Null(record.AcceleratedNetworkingAtCreation);
        Assert.Equal([DecisionReason.NewPoolEnabled], await DecisionsAsync(app));
        await app.Arm.Received(1).GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ReconcileAsync_PendingOperationSucceededSinceTheLastCall_ConcludesWithoutWritingAgain()
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(StillRunning, OperationStatus.Succeeded);
        await ReconcileAsync(app);
        app.Time.Advance(TimeSpan.FromMinutes(5));

        var result = await ReconcileAsync(app);

        Assert.Equal((DecisionOutcome.NoChange, DecisionReason.WriteSucceeded), (result.Decision.Outcome, result.Decision.Reason));
        Assert.Equal("the app's write (attempt 1, accepted 2026-11-25T10:00:00Z) enabled AN on every network interface configuration", result.Decision.Explanation);
        Assert.True(result.Decision.IsNewPool);
        Assert.False(result.WriteSent);
        await SendCalls(app, 1);
        var record = await RecordAsync(app);
        Assert.Null(record.PendingWrite);
        Assert.True(record.EnabledByApp);
        Assert.Equal(TestData.Now, record.EnabledAt);
        Assert.Equal(TestData.Now.AddMinutes(5), record.LastSeen);
        Assert.Equal([DecisionReason.NewPoolEnabled, DecisionReason.WriteSucceeded], await DecisionsAsync(app));
    }

    [Theory]
    [InlineData(30, DecisionReason.WriteInProgress)]
    [InlineData(31, DecisionReason.WriteFailed)]
    public async Task ReconcileAsync_PendingOperationStillRunning_WaitsUntilOperationTimeoutThenFailsForGood(int minutesLater, DecisionReason expected)
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(StillRunning);
        await ReconcileAsync(app);
        app.Time.Advance(TimeSpan.FromMinutes(minutesLater));

        var result = await ReconcileAsync(app);

        Assert.Equal(expected, result.Decision.Reason);
        Assert.False(result.WriteSent);
        await SendCalls(app, 1);
        if (expected == DecisionReason.WriteInProgress)
        {
            Assert.Equal(DecisionOutcome.NoChange, result.Decision.Outcome);
            Assert.True(result.Decision.IsNewPool);
            Assert.Equal("the app's write (attempt 1) was accepted at 2026-11-25T10:00:00Z and its operation is still running: the next delivery or audit asks it again", result.Decision.Explanation);
            Assert.NotNull((await RecordAsync(app)).PendingWrite);
            Assert.Equal([DecisionReason.NewPoolEnabled, DecisionReason.WriteInProgress], await DecisionsAsync(app));
        }
        else
        {
            Assert.Equal("new pool; enabling AN failed and will not be tried again: ARM accepted the write, then its operation failed (OperationTimedOut: the operation had not finished 00:30:00 after ARM accepted the write) after 1 attempt(s)",
                result.Decision.Explanation);
            Assert.Null((await RecordAsync(app)).PendingWrite);
            await OpenFindingAsync(app, FindingKind.AcceleratedNetworkingWriteFailed);
        }
    }

    [Fact]
    public async Task ReconcileAsync_PendingWriteAcceptedEarlier_ConcludedFromItsOperationWithItsOwnTimes()
    {
        var app = Harness();
        var accepted = new PendingWrite
        {
            Id = "w",
            StartedAt = TestData.Now.AddMinutes(-3),
            Attempt = 2,
            State = PendingWriteState.Accepted,
            AcceptedAt = TestData.Now.AddMinutes(-2),
            OperationUrl = OperationUrl,
        };
        await app.Memory.SavePoolAsync(TestData.Record(NewPool) with { PendingWrite = accepted, InstancesNotOnLatestModel = 2, Version = null }, CancellationToken.None);
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(StillRunning, OperationStatus.Succeeded);

        var running = await ReconcileAsync(app);
        var done = await ReconcileAsync(app);

        Assert.Equal("the app's write (attempt 2) was accepted at 2026-11-25T09:58:00Z and its operation is still running: the next delivery or audit asks it again", running.Decision.Explanation);
        Assert.Equal("the app's write (attempt 2, accepted 2026-11-25T09:58:00Z) enabled AN on every network interface configuration", done.Decision.Explanation);
        var record = await RecordAsync(app);
        Assert.Equal(TestData.Now.AddMinutes(-2), record.EnabledAt);
        Assert.Equal(2, record.InstancesNotOnLatestModel);
        await SendCalls(app, 0);
    }

    [Fact]
    public async Task ReconcileAsync_PendingOperationFailedForGoodAtTheFirstAttempt_NotWrittenAgain()
    {
        var app = Harness();
        await RecordPendingAsync(app, AcceptedAMinuteAgo());
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(Failed("BadRequest"));

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.WriteFailed, result.Decision.Reason);
        Assert.EndsWith("(BadRequest: BadRequest happened) after 1 attempt(s)", result.Decision.Explanation);
        await SendCalls(app, 0);
    }

    [Fact]
    public async Task ReconcileAsync_OperationUnknownToArmRightAfterTheWrite_LeftInProgress()
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(new OperationStatus(OperationState.Unknown));

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.NewPoolEnabled, result.Decision.Reason);
        await SendCalls(app, 1);
        Assert.Equal(PendingWriteState.Accepted, (await RecordAsync(app)).PendingWrite?.State);
    }

    [Fact]
    public async Task ReconcileAsync_ConclusionLostARaceAfterTheWrite_AsksTheSameOperationInsteadOfWritingAgain()
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(OperationStatus.Succeeded);
        // The record still holds the intent (no operation URL) when the next attempt reads it.
        app.State.LoseSavesAfterTheFirst(1);

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.WriteSucceeded, result.Decision.Reason);
        // Sent by this call, whose first conclusion lost the race: the audit counts it as a write.
        Assert.True(result.WriteSent);
        await SendCalls(app, 1);
        await app.Arm.Received(2).GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>());
        Assert.True((await RecordAsync(app)).EnabledByApp);
    }

    [Fact]
    public async Task ReconcileAsync_ConclusionLostARaceWhileTheOperationRuns_RecordsTheWriteAcceptedWithItsOperation()
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(StillRunning);
        // The save that records the write as accepted loses the race: the next attempt finds only the intent.
        app.State.LoseSavesAfterTheFirst(1);

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.WriteInProgress, result.Decision.Reason);
        Assert.True(result.WriteSent);
        await SendCalls(app, 1);
        var pending = (await RecordAsync(app)).PendingWrite;
        Assert.Equal(PendingWriteState.Accepted, pending?.State);
        Assert.Equal(OperationUrl, pending?.OperationUrl);
    }

    [Fact]
    public async Task ReconcileAsync_OperationFailsForGood_RecordsThePoolWithoutAnAndOpensAWarning()
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(Failed("LinkedAuthorizationFailed"));

        var result = await ReconcileAsync(app);

        Assert.Equal((DecisionOutcome.Skip, DecisionReason.WriteFailed), (result.Decision.Outcome, result.Decision.Reason));
        const string What = "ARM accepted the write, then its operation failed (LinkedAuthorizationFailed: LinkedAuthorizationFailed happened) after 1 attempt(s)";
        Assert.Equal($"new pool; enabling AN failed and will not be tried again: {What}", result.Decision.Explanation);
        Assert.False(result.WriteSent);
        await SendCalls(app, 1);
        var record = await RecordAsync(app);
        Assert.Null(record.PendingWrite);
        Assert.False(record.EnabledByApp);
        Assert.Null(record.EnabledAt);
        Assert.False(record.AcceleratedNetworking);
        Assert.False(record.AcceleratedNetworkingAtCreation);
        var finding = await OpenFindingAsync(app, FindingKind.AcceleratedNetworkingWriteFailed);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal($"Enabling AN on the new pool nodepool-a1b2c failed: {What}", finding.Message);
        Assert.Equal(("LinkedAuthorizationFailed", "LinkedAuthorizationFailed happened", 1), (finding.Evidence.ErrorCode, finding.Evidence.ErrorMessage, finding.Evidence.WriteAttempt));
        Assert.Equal([DecisionReason.NewPoolEnabled, DecisionReason.WriteFailed], await DecisionsAsync(app));
    }

    [Fact]
    public async Task ReconcileAsync_OperationFailsTransientlyOnce_WritesAgainInTheSameCall()
    {
        var app = Harness();
        // The write's own wait, the follow-up of the next attempt, then the second write's wait.
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(Failed("InternalServerError"), Failed("InternalServerError"), OperationStatus.Succeeded);

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.NewPoolEnabled, result.Decision.Reason);
        Assert.True(result.WriteSent);
        await SendCalls(app, 2);
        var record = await RecordAsync(app);
        Assert.Null(record.PendingWrite);
        Assert.True(record.EnabledByApp);
        Assert.Empty(await app.Findings.ListForPoolAsync(app.Id, CancellationToken.None));
    }

    [Fact]
    public async Task ReconcileAsync_OperationFailsTransientlyEveryTime_GivesUpAfterThreeWrites()
    {
        var app = Harness();
        app.Arm.GetOperationAsync(OperationUrl, Arg.Any<CancellationToken>()).Returns(Failed("InternalServerError"));

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.WriteFailed, result.Decision.Reason);
        Assert.EndsWith("its operation failed (InternalServerError: InternalServerError happened) after 3 attempt(s)", result.Decision.Explanation);
        await SendCalls(app, WriteFollowUp.MaxWriteAttempts);
        Assert.Null((await RecordAsync(app)).PendingWrite);
        var finding = await OpenFindingAsync(app, FindingKind.AcceleratedNetworkingWriteFailed);
        Assert.Equal(3, finding.Evidence.WriteAttempt);
    }

    [Fact]
    public async Task ReconcileAsync_ArmRefusesTheWriteForGood_ThrowsAfterRecordingTheFailure()
    {
        var app = Harness();
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).ThrowsAsync(new ArmRequestException(403, "LinkedAuthorizationFailed", "no join permission"));

        var e = await Assert.ThrowsAsync<ArmRequestException>(() => ReconcileAsync(app));

        Assert.Equal(403, e.Status);
        await SendCalls(app, 1);
        var record = await RecordAsync(app);
        Assert.Null(record.PendingWrite);
        Assert.False(record.EnabledByApp);
        var finding = await OpenFindingAsync(app, FindingKind.AcceleratedNetworkingWriteFailed);
        Assert.Equal("Enabling AN on the new pool nodepool-a1b2c failed: ARM refused the write (LinkedAuthorizationFailed: no join permission)", finding.Message);
        Assert.Equal([DecisionReason.NewPoolEnabled, DecisionReason.WriteFailed], await DecisionsAsync(app));
    }

    [Theory]
    [InlineData(503, null, "Http503")]
    [InlineData(429, "TooManyRequests", "TooManyRequests")]
    [InlineData(0, null, PendingWrite.NoAnswer)]
    public async Task ReconcileAsync_ArmRefusesTheWriteForNow_KeepsTheFailedIntentWithoutAFinding(int status, string? code, string recorded)
    {
        var app = Harness();
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).ThrowsAsync(new ArmRequestException(status, code, "try later"));

        await Assert.ThrowsAsync<ArmRequestException>(() => ReconcileAsync(app));

        var pending = Assert.IsType<PendingWrite>((await RecordAsync(app)).PendingWrite);
        Assert.Equal((PendingWriteState.Failed, recorded, "try later", 1), (pending.State, pending.ErrorCode, pending.ErrorMessage, pending.Attempt));
        Assert.Null(pending.AcceptedAt);
        Assert.Empty(await app.Findings.ListForPoolAsync(app.Id, CancellationToken.None));
    }

    [Fact]
    public async Task ReconcileAsync_AfterARefusalForNow_WritesAgainAsTheSameAttemptKeepingFirstSeen()
    {
        var app = Harness(operationUrl: null);
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new ArmRequestException(503, "ServiceUnavailable", "busy"), _ => new WriteAccepted(200, null, "Succeeded"));
        await Assert.ThrowsAsync<ArmRequestException>(() => ReconcileAsync(app));
        app.Time.Advance(TimeSpan.FromMinutes(2));

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.NewPoolEnabled, result.Decision.Reason);
        Assert.True(result.WriteSent);
        Assert.False(result.NewlyRecorded);
        await SendCalls(app, 2);
        var record = await RecordAsync(app);
        Assert.Null(record.PendingWrite);
        Assert.Equal(TestData.Now, record.FirstSeen);
        Assert.Equal(TestData.Now.AddMinutes(2), record.EnabledAt);
    }

    [Fact]
    public async Task ReconcileAsync_NoAnswerButTheWriteArrived_ConcludesSucceededFromThePool()
    {
        var app = Harness();
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).ThrowsAsync(new ArmRequestException(0, null, "timed out"));
        await Assert.ThrowsAsync<ArmRequestException>(() => ReconcileAsync(app));
        app.ScaleSet = TestData.ScaleSet(an: true, capacity: 0);
        app.Time.Advance(TimeSpan.FromMinutes(1));

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.WriteSucceeded, result.Decision.Reason);
        Assert.Equal("the app's write (attempt 1, accepted 2026-11-25T10:00:00Z) enabled AN on every network interface configuration", result.Decision.Explanation);
        await SendCalls(app, 1);
        var record = await RecordAsync(app);
        Assert.True(record.EnabledByApp);
        Assert.Equal(TestData.Now, record.EnabledAt);
    }

    [Fact]
    public async Task ReconcileAsync_PreconditionFailedOnce_ReadsThePoolAgainAndWrites()
    {
        var app = Harness(operationUrl: null);
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new ArmRequestException(412, "PreconditionFailed", "etag"), _ => new WriteAccepted(200, null, "Succeeded"));

        var result = await ReconcileAsync(app);

        Assert.True(result.WriteSent);
        await SendCalls(app, 2);
        await app.Arm.Received(2).GetAsync(app.Id, Arg.Any<CancellationToken>());
        Assert.True((await RecordAsync(app)).EnabledByApp);
        Assert.Empty(await app.Findings.ListForPoolAsync(app.Id, CancellationToken.None));
    }

    [Fact]
    public async Task ReconcileAsync_PreconditionFailedEveryTime_GivesUpAfterMaxAttempts()
    {
        var app = Harness();
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).ThrowsAsync(new ArmRequestException(412, "PreconditionFailed", "etag"));

        var e = await Assert.ThrowsAsync<ArmRequestException>(() => ReconcileAsync(app));

        Assert.True(e.IsPreconditionFailed);
        await SendCalls(app, PoolReconciler.MaxAttempts);
        await app.Arm.Received(PoolReconciler.MaxAttempts).GetAsync(app.Id, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(29, DecisionReason.WriteInProgress, 0)]
    [InlineData(31, DecisionReason.NewPoolEnabled, 1)]
    public async Task ReconcileAsync_IntentOfAnotherReconcile_LeftToItWithinTheLeaseThenDecidedAgain(int secondsAgo, DecisionReason expected, int writes)
    {
        var app = Harness(operationUrl: null);
        var intent = new PendingWrite { Id = "other", StartedAt = TestData.Now.AddSeconds(-secondsAgo), Attempt = 1 };
        await RecordPendingAsync(app, intent);

        var result = await ReconcileAsync(app);

        Assert.Equal(expected, result.Decision.Reason);
        await SendCalls(app, writes);
        if (writes == 0)
        {
            Assert.Equal(DecisionOutcome.Retry, result.Decision.Outcome);
            Assert.True(result.IsRetry);
            Assert.True(result.Decision.IsNewPool);
            Assert.Equal("another reconcile recorded the write of this new pool at 2026-11-25T09:59:31Z and is sending it: look again once it has concluded", result.Decision.Explanation);
            Assert.Equal("other", (await RecordAsync(app)).PendingWrite?.Id);
        }
        else
        {
            // The intent never reached ARM: the pool is written again, as the next attempt.
            Assert.True(result.WriteSent);
            Assert.Equal(TestData.Now.AddDays(-3), (await RecordAsync(app)).FirstSeen);
        }
    }

    [Fact]
    public async Task ReconcileAsync_IntentNeverSentAndThePoolNoLongerNew_FailsForGood()
    {
        var old = TestData.ScaleSet(an: false, capacity: 0, age: TimeSpan.FromHours(2));
        var app = Harness(old);
        var intent = new PendingWrite { Id = "dead", StartedAt = TestData.Now.AddHours(-2), Attempt = 1 };
        await app.Memory.SavePoolAsync(TestData.Record(old) with { PendingWrite = intent, Version = null }, CancellationToken.None);

        var result = await ReconcileAsync(app);

        Assert.Equal(DecisionReason.WriteFailed, result.Decision.Reason);
        Assert.Equal("new pool; enabling AN failed and will not be tried again: the write was recorded but never reached ARM, and the pool is no longer new", result.Decision.Explanation);
        await SendCalls(app, 0);
        Assert.Null((await RecordAsync(app)).PendingWrite);
        await OpenFindingAsync(app, FindingKind.AcceleratedNetworkingWriteFailed);
    }

    [Fact]
    public async Task ReconcileAsync_PreviewOfAPoolWithAPendingWrite_NeitherFollowsItUpNorSaves()
    {
        var app = Harness();
        var intent = AcceptedAMinuteAgo();
        await RecordPendingAsync(app, intent);

        var result = await ReconcileAsync(app, RunMode.Preview);

        Assert.Equal(DecisionOutcome.WouldEnableAcceleratedNetworking, result.Decision.Outcome);
        Assert.False(result.WriteSent);
        await app.Arm.DidNotReceive().GetOperationAsync(Arg.Any<string>(), Arg.Any<CancellationToken>());
        await SendCalls(app, 0);
        Assert.Equal(0, app.State.Calls(nameof(IStateStore.SavePoolAsync)));
        Assert.Equal(intent, (await RecordAsync(app)).PendingWrite);
    }

    [Fact]
    public async Task ReconcileAsync_ScaleSetGone_RecordsTheDecisionAndReturnsTheStoredPool()
    {
        var app = Harness();
        app.ScaleSet = null;
        var stored = await app.Memory.SavePoolAsync(TestData.Record(NewPool) with { Version = null }, CancellationToken.None);

        var result = await ReconcileAsync(app);

        Assert.Equal((DecisionOutcome.Skip, DecisionReason.ScaleSetGone), (result.Decision.Outcome, result.Decision.Reason));
        Assert.Equal("the scale set does not exist in ARM (deleted, or never created): nothing to do", result.Decision.Explanation);
        Assert.False(result.Decision.IsNewPool);
        Assert.Equal(stored, result.Pool);
        Assert.False(result.WriteSent);
        Assert.Equal([DecisionReason.ScaleSetGone], await DecisionsAsync(app));
        Assert.Equal(0, app.State.Calls(nameof(IStateStore.SavePoolAsync)));
    }
}
