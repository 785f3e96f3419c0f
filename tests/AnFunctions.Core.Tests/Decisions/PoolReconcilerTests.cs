using AnFunctions.Core.Decisions;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Core.Tests.Events;
using NSubstitute;

namespace AnFunctions.Core.Tests.Decisions;

/// <summary>
/// <see cref="PoolReconciler"/> apart from the write itself (<see cref="PoolReconcilerWriteTests"/>): scope, the
/// audit's listed snapshot and when it is read again, lost races on the pool record and their bounds, a concurrent
/// delivery that recorded the pool after this call's write, the event's mark, and the record a decision leaves.
/// </summary>
public sealed class PoolReconcilerTests
{
    /// <summary>A known pool with AN, recorded as it is: nothing to write, its record saved again.</summary>
    private static readonly ScaleSetSnapshot KnownPool = TestData.ScaleSet(an: true, age: TimeSpan.FromDays(10));

    private static async Task<EventHarness> KnownPoolHarnessAsync()
    {
        var app = new EventHarness(KnownPool);
        await app.Memory.SavePoolAsync(TestData.Record(KnownPool) with { Version = null }, CancellationToken.None);
        return app;
    }

    private static ReconcileRequest Request(EventHarness app, ReconcileTrigger trigger = ReconcileTrigger.Http) => new(app.Id, trigger);

    [Fact]
    public async Task ReconcileAsync_OutOfScope_DecidedWithoutAnyArmCall()
    {
        var app = new EventHarness(settings: new AcceleratedNetworkingOptions { Subscriptions = TestData.OtherSubscription });

        var result = await app.Reconciler.ReconcileAsync(Request(app), CancellationToken.None);

        Assert.Equal((DecisionOutcome.Skip, DecisionReason.OutOfScope), (result.Decision.Outcome, result.Decision.Reason));
        Assert.Equal($"subscription {TestData.Subscription} is not in AcceleratedNetworking:Subscriptions", result.Decision.Explanation);
        Assert.False(result.Decision.IsNewPool);
        Assert.False(result.WriteSent);
        Assert.Null(result.Pool);
        Assert.Empty(app.Arm.ReceivedCalls());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(-1, 0)]
    [InlineData(1, 1)]
    public async Task ReconcileAsync_FromAListing_ReadAgainOnlyWhenThePoolWasRecordedAfterTheListingWasRead(int recordedSecondsAfterRead, int gets)
    {
        var app = await KnownPoolHarnessAsync();
        var stored = (await app.Memory.GetPoolAsync(app.Id, CancellationToken.None))!;
        var readAt = stored.LastSeen.AddSeconds(-recordedSecondsAfterRead);

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(app.Id, ReconcileTrigger.Audit, SnapshotReadAt: readAt), KnownPool, CancellationToken.None);

        Assert.Equal(DecisionReason.ExistingPoolKnown, result.Decision.Reason);
        await app.Arm.Received(gets).GetAsync(app.Id, Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(false, 1)]
    public async Task ReconcileAsync_FromAnIndexRow_JudgedAsListedOnlyWhenTheRowAgreesWithTheRecord(bool agrees, int gets)
    {
        var app = await KnownPoolHarnessAsync();
        var row = agrees ? KnownPool : TestData.ScaleSet(an: true, age: TimeSpan.FromDays(10), size: "Standard_D8s_v3");

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(app.Id, ReconcileTrigger.Audit, FromIndex: true), row, CancellationToken.None);

        await app.Arm.Received(gets).GetAsync(app.Id, Arg.Any<CancellationToken>());
        Assert.Equal(["Standard_D4s_v3"], result.Pool!.VmSizes);
    }

    [Theory]
    [InlineData(PoolReconciler.MaxAttempts - 1, true)]
    [InlineData(PoolReconciler.MaxAttempts, false)]
    public async Task ReconcileAsync_RecordSaveLosesRaces_RetriedUpToMaxAttempts(int conflicts, bool saved)
    {
        var app = await KnownPoolHarnessAsync();
        app.State.PoolSaveConflicts = conflicts;

        var call = app.Reconciler.ReconcileAsync(Request(app), CancellationToken.None);

        if (saved)
        {
            Assert.Equal(DecisionReason.ExistingPoolKnown, (await call).Decision.Reason);
        }
        else
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => call);
        }

        Assert.Equal(Math.Min(conflicts + 1, PoolReconciler.MaxAttempts), app.State.Calls(nameof(IStateStore.GetPoolAsync)));
    }

    [Theory]
    [InlineData(PoolReconciler.MaxAttemptsAfterWrite - 1, true)]
    [InlineData(PoolReconciler.MaxAttemptsAfterWrite, false)]
    public async Task ReconcileAsync_RecordSaveLosesRacesAfterTheWrite_RetriedLongerToKeepTheWrite(int conflicts, bool concluded)
    {
        var app = new EventHarness(TestData.ScaleSet(an: false, capacity: 0));
        app.Arm.GetAsync(app.Id, Arg.Any<CancellationToken>()).Returns(TestData.ScaleSet(an: false, capacity: 0), TestData.ScaleSet(an: true, capacity: 0));
        // The intent is saved; every save after the write loses until the conflicts are spent.
        app.State.LoseSavesAfterTheFirst(conflicts);

        var call = app.Reconciler.ReconcileAsync(Request(app), CancellationToken.None);

        if (concluded)
        {
            var result = await call;
            Assert.Equal(DecisionReason.WriteSucceeded, result.Decision.Reason);
            Assert.True((await app.Memory.GetPoolAsync(app.Id, CancellationToken.None))!.EnabledByApp);
        }
        else
        {
            await Assert.ThrowsAsync<ConcurrencyConflictException>(() => call);
        }

        await app.Arm.Received(1).SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task ReconcileAsync_AnotherDeliveryRecordedThePoolAfterThisCallsWrite_TheRecordKeepsTheAppsWrite()
    {
        var pool = TestData.ScaleSet(an: false, capacity: 3);
        var app = new EventHarness(pool);
        app.Arm.GetAsync(app.Id, Arg.Any<CancellationToken>()).Returns(pool, TestData.ScaleSet(an: true, capacity: 3));
        app.State.BeforePoolSave = async n =>
        {
            if (n == 2)
            {
                // Between this call's write and its conclusion, another delivery saw AN on and recorded the pool as
                // one it found that way (not written by the app, AN at creation unknown).
                var intent = (await app.Memory.GetPoolAsync(app.Id, CancellationToken.None))!;
                await app.Memory.SavePoolAsync(intent with { PendingWrite = null, AcceleratedNetworking = true, AcceleratedNetworkingAtCreation = null, InstancesNotOnLatestModel = null }, CancellationToken.None);
            }
        };

        var result = await app.Reconciler.ReconcileAsync(Request(app), CancellationToken.None);

        Assert.True(result.WriteSent);
        var record = (await app.Memory.GetPoolAsync(app.Id, CancellationToken.None))!;
        Assert.Null(record.PendingWrite);
        Assert.True(record.EnabledByApp);
        Assert.Equal(TestData.Now, record.EnabledAt);
        Assert.True(record.AcceleratedNetworkingAtCreation);
        Assert.True(record.AcceleratedNetworking);
        Assert.Equal(3, record.InstancesNotOnLatestModel);
        await app.Arm.Received(1).SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReconcileAsync_WithAnEventToMark_MarksItWithTheRecord(bool withEvent)
    {
        var app = await KnownPoolHarnessAsync();
        var processed = withEvent ? new ProcessedEvent("evt-9", "Microsoft.Resources.ResourceWriteSuccess", app.Id.Value, TestData.Now, "handled") : null;

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(app.Id, ReconcileTrigger.Event, "evt-9", Processed: processed), CancellationToken.None);

        Assert.Equal(withEvent, result.EventMarked);
        Assert.Equal(withEvent, await app.Memory.GetProcessedEventAsync(app.Id, "evt-9", CancellationToken.None) is not null);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReconcileAsync_WriteFailedForGood_MarksTheEventOnlyWhenGiven(bool withEvent)
    {
        var app = new EventHarness(TestData.ScaleSet(an: false, capacity: 0));
        app.Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).Returns(new WriteAccepted(201, "https://op", "Updating"));
        app.Arm.GetOperationAsync("https://op", Arg.Any<CancellationToken>()).Returns(new OperationStatus(OperationState.Failed, "BadRequest", "no"));
        var processed = withEvent ? new ProcessedEvent("evt-9", "Microsoft.Resources.ResourceWriteSuccess", app.Id.Value, TestData.Now, "handled") : null;

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(app.Id, ReconcileTrigger.Event, "evt-9", Processed: processed), CancellationToken.None);

        Assert.Equal(DecisionReason.WriteFailed, result.Decision.Reason);
        Assert.True(result.Decision.IsNewPool);
        Assert.Equal(withEvent, result.EventMarked);
        var finding = Assert.Single(await app.Findings.ListForPoolAsync(app.Id, CancellationToken.None));
        Assert.Equal(["evt-9"], finding.Evidence.EventIds);
    }

    public static TheoryData<bool, bool, bool> NextRecordCases() => new()
    {
        // sent, new pool, instances listed
        { true, true, true },
        { false, true, false },
        { false, false, true },
    };

    [Theory]
    [MemberData(nameof(NextRecordCases))]
    public void NextRecord_FirstRecordOfAPool_SaysWhatTheDecisionKnew(bool sent, bool newPool, bool listed)
    {
        var scaleSet = TestData.ScaleSet(an: false, capacity: 3);
        var decision = new PoolDecision(DecisionOutcome.NoChange, DecisionReason.ExistingPoolKnown, "x", newPool, Write: null);

        var record = PoolReconciler.NextRecord(null, scaleSet, decision, sent, TestData.Now, listed ? TestData.Instances(running: 2) : null);

        Assert.Equal(newPool ? sent : null, record.AcceleratedNetworkingAtCreation);
        Assert.Equal(sent, record.AcceleratedNetworking);
        Assert.Equal(sent, record.EnabledByApp);
        Assert.Equal(sent ? TestData.Now : null, record.EnabledAt);
        Assert.Equal(sent ? 3 : null, record.InstancesNotOnLatestModel);
        Assert.Equal(listed ? 2 : null, record.Instances?.Total);
        Assert.Equal(listed ? TestData.Now : null, record.InstancesCheckedAt);
        Assert.Equal((TestData.Now, TestData.Now), (record.FirstSeen, record.LastSeen));
    }

    [Theory]
    [InlineData(-60, true)]
    [InlineData(0, true)]
    [InlineData(60, false)]
    public void SameIncarnation_ScaleSetCreatedAfterTheRecordsPool_IsANewPool(int scaleSetCreatedMinutesLater, bool same)
    {
        var scaleSet = TestData.ScaleSet();
        var record = TestData.Record(scaleSet) with { TimeCreated = scaleSet.TimeCreated!.Value.AddMinutes(-scaleSetCreatedMinutesLater) };

        Assert.Equal(same, PoolReconciler.SameIncarnation(record, scaleSet));
        Assert.False(PoolReconciler.SameIncarnation(record with { Status = PoolStatus.Deleted }, scaleSet));
        Assert.False(PoolReconciler.SameIncarnation(null, scaleSet));
    }
}
