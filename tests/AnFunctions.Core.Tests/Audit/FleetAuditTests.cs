using AnFunctions.Core.Arm;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using NSubstitute;

namespace AnFunctions.Core.Tests.Audit;

/// <summary>
/// The fleet audit over in-memory stores (<see cref="AuditHarness"/>): what a run reads, decides, writes (and does not),
/// and the exact figures of its run record.
/// </summary>
public sealed class FleetAuditTests
{
    private const string Sub = TestData.Subscription;
    private readonly AuditHarness _h = new();

    private static string FindingId(ScaleSetSnapshot scaleSet, FindingKind kind) => Finding.IdFor(scaleSet.Id, kind);

    [Fact]
    public async Task RunAsync_NoSubscriptionVisible_CompletedWithNothingAudited()
    {
        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.Completed, run.Status);
        Assert.Empty(run.Subscriptions);
        Assert.Equal((0, 0, 0, 0, 0, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged, run.Writes, run.InstanceChecks));
        Assert.Empty(run.ArmCalls);
        Assert.Empty(run.Errors);
        _h.Arm.DidNotReceiveWithAnyArgs().ListAsync(default!, default);
        Assert.Equal(run, await _h.Runs.GetAsync(run.RunId, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_PoolsNewToTheApp_RecordedInOneBatchWithTheirDecisionAndFindings()
    {
        var on = _h.ListOld("pool-on", an: true);
        var off = _h.ListOld("pool-off", an: false);

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.Completed, run.Status);
        Assert.Equal([new SubscriptionAudit(Sub, 2, null)], run.Subscriptions);
        Assert.Equal((2, 2, 0, 2, 0, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged, run.Writes, run.InstanceChecks));
        Assert.Equal((1, 0), (run.FindingsOpenedCount, run.FindingsResolvedCount));
        Assert.Equal([FindingId(off, FindingKind.AcceleratedNetworkingAvailableButOff)], run.FindingsOpened);
        Assert.Empty(run.FindingsResolved);
        Assert.Equal([2], _h.State.PoolBatches);
        Assert.Equal([0], _h.State.DecisionBatches);
        Assert.Equal(new Dictionary<string, int> { ["ListScaleSets"] = 1, ["ListSkus"] = 2 }, run.ArmCalls);
        Assert.Equal(new Dictionary<string, int> { ["AppendDecisionsAsync"] = 1, ["ListPoolsAsync"] = 1, ["SavePoolsAsync"] = 1 }, run.TableCalls);
        foreach (var (scaleSet, an) in new[] { (on, true), (off, false) })
        {
            var record = await _h.PoolAsync(scaleSet.Id);
            Assert.Equal((TestData.Now, TestData.Now, an, PoolStatus.Active, false), (record!.FirstSeen, record.LastSeen, record.AcceleratedNetworking, record.Status, record.EnabledByApp));
            var decision = Assert.Single(await _h.Memory.GetDecisionsAsync(scaleSet.Id, 10, CancellationToken.None));
            Assert.Equal((DecisionOutcome.Skip, DecisionReason.ExistingPoolOutsideWindow, "audit", TestData.Now), (decision.Outcome, decision.Reason, decision.Trigger, decision.At));
            Assert.Equal(["Standard_D4s_v3"], decision.VmSizes);
        }

        var finding = Assert.Single(await _h.FindingsAsync());
        Assert.Equal((off.Id, FindingSeverity.Info, FindingStatus.Open), (finding.PoolId, finding.Severity, finding.Status));
    }

    [Fact]
    public async Task RunAsync_FleetUnchangedSinceTheLastRun_WritesNothing()
    {
        var on = _h.ListOld("pool-on", an: true);
        var off = _h.ListOld("pool-off", an: false);
        await _h.RunAsync();
        var before = (await _h.PoolAsync(on.Id), await _h.PoolAsync(off.Id), await _h.FindingsAsync());
        _h.State.PoolBatches.Clear();
        _h.State.DecisionBatches.Clear();
        _h.Time.Advance(TimeSpan.FromHours(1));

        var run = await _h.RunAsync();

        Assert.Equal((2, 0, 0, 0, 0, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged, run.Writes, run.InstanceChecks));
        Assert.Equal((0, 0), (run.FindingsOpenedCount, run.FindingsResolvedCount));
        Assert.Equal([0], _h.State.PoolBatches);
        Assert.Equal([0], _h.State.DecisionBatches);
        Assert.Equal(before, (await _h.PoolAsync(on.Id), await _h.PoolAsync(off.Id), await _h.FindingsAsync()), new TupleComparer());
        Assert.Equal(TestData.Now, (await _h.PoolAsync(on.Id))!.LastSeen);
        Assert.Single(await _h.Memory.GetDecisionsAsync(on.Id, 10, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_AnTurnedOnSinceTheLastRun_RecordRewrittenAndFindingResolved()
    {
        var off = _h.ListOld("pool", an: false);
        await _h.RunAsync();
        _h.Listings[Sub].Clear();
        var on = _h.ListOld("pool", an: true);
        _h.Time.Advance(TimeSpan.FromHours(1));
        var later = TestData.Now.AddHours(1);

        var run = await _h.RunAsync();

        Assert.Equal((1, 0, 0, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged));
        Assert.Equal((0, 1), (run.FindingsOpenedCount, run.FindingsResolvedCount));
        Assert.Equal([FindingId(off, FindingKind.AcceleratedNetworkingAvailableButOff)], run.FindingsResolved);
        var record = await _h.PoolAsync(on.Id);
        Assert.Equal((true, TestData.Now, later), (record!.AcceleratedNetworking, record.FirstSeen, record.LastSeen));
        var finding = Assert.Single(await _h.FindingsAsync());
        Assert.Equal((FindingStatus.Resolved, later), (finding.Status, finding.ResolvedAt));
        Assert.Equal([1], _h.State.PoolBatches.Skip(1));
    }

    [Fact]
    public async Task RunAsync_FindingsOpenedAndResolvedByTheBatchedAudit_LoggedAsTheAlertRuleCountsThem()
    {
        var off = _h.ListOld("pool", an: false);
        await _h.RunAsync();
        _h.Listings[Sub].Clear();
        _h.ListOld("pool", an: true);
        _h.Time.Advance(TimeSpan.FromHours(1));

        await _h.RunAsync();

        var id = FindingId(off, FindingKind.AcceleratedNetworkingAvailableButOff);
        var lines = _h.EngineLog.Collector.GetSnapshot().Where(r => r.Id.Name is "FindingOpened" or "FindingResolved").ToList();
        Assert.Equal(["FindingOpened", "FindingResolved"], lines.Select(r => r.Id.Name));
        Assert.All(lines, r => Assert.Equal((id, "info", off.Id.Value), (r.GetStructuredStateValue("FindingId"), r.GetStructuredStateValue("Severity"), r.GetStructuredStateValue("ResourceId"))));
    }

    [Fact]
    public async Task RunAsync_ClosedRecordListedAgain_ReopenedButNotCountedAsNewlyRecorded()
    {
        var scaleSet = _h.ListOld("pool");
        var closed = await _h.RecordAsync(scaleSet, r => r with { Status = PoolStatus.Deleted, DeletedAt = TestData.Now.AddDays(-1) });

        var run = await _h.RunAsync();

        Assert.Equal((1, 0, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
        var record = await _h.PoolAsync(scaleSet.Id);
        Assert.Equal((PoolStatus.Active, (DateTimeOffset?)null, TestData.Now), (record!.Status, record.DeletedAt, record.FirstSeen));
        Assert.NotEqual(closed.Version, record.Version);
    }

    [Fact]
    public async Task RunAsync_KnownPoolOptedOut_DecisionAppendedWithoutRewritingTheRecord()
    {
        var scaleSet = _h.List(TestData.ScaleSet(age: TimeSpan.FromDays(20), tags: new Dictionary<string, string> { ["an-automation"] = "disabled" }));
        var stored = await _h.RecordAsync(scaleSet);

        var run = await _h.RunAsync();

        Assert.Equal((1, 0, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
        Assert.Equal([0], _h.State.PoolBatches);
        Assert.Equal([1], _h.State.DecisionBatches);
        Assert.Equal(stored, await _h.PoolAsync(scaleSet.Id));
        var decision = Assert.Single(await _h.Memory.GetDecisionsAsync(scaleSet.Id, 10, CancellationToken.None));
        Assert.Equal((DecisionReason.OptedOut, "audit"), (decision.Reason, decision.Trigger));
    }

    [Fact]
    public async Task RunAsync_NewPoolWithAnOff_WrittenByThePerPoolPathThenItsNodesChecked()
    {
        var scaleSet = _h.List(TestData.ScaleSet(an: false, age: TimeSpan.FromMinutes(5)));
        _h.Instances = TestData.Instances(3, an: false);

        var run = await _h.RunAsync();

        Assert.Equal((1, 1, 0, 1, 1, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged, run.Writes, run.InstanceChecks));
        Assert.Empty(run.Errors);
        await _h.Arm.Received(1).SendAsync(Arg.Is<ScaleSetWrite>(w => w.Id == scaleSet.Id), Arg.Any<CancellationToken>());
        // Listed twice: by the safety gate before the write, by the node check after it.
        await _h.Arm.Received(2).ListInstancesAsync(scaleSet.Id, Arg.Any<CancellationToken>());
        var record = await _h.PoolAsync(scaleSet.Id);
        Assert.Equal((true, true, new InstanceCounts(3, 3, 0, 3, 0)), (record!.EnabledByApp, record.AcceleratedNetworking, record.Instances));
        Assert.Equal([FindingId(scaleSet, FindingKind.NodesWithoutAcceleratedNetworking)], run.FindingsOpened);
        Assert.Equal([0], _h.State.PoolBatches);
    }

    [Fact]
    public async Task RunAsync_DryRunRequest_DecisionsRecordedButNoPoolNoFindingNoWrite()
    {
        var old = _h.ListOld("old", an: false);
        var fresh = _h.List(TestData.ScaleSet(an: false, age: TimeSpan.FromMinutes(5), name: "fresh"));

        var run = await _h.RunAsync(new AuditRequest("test", DryRun: true));

        Assert.True(run.DryRun);
        Assert.Equal((2, 0, 0, 2, 0, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged, run.Writes, run.InstanceChecks));
        Assert.Equal((0, 0), (run.FindingsOpenedCount, run.FindingsResolvedCount));
        Assert.Equal([0], _h.State.PoolBatches);
        Assert.Equal([1], _h.State.DecisionBatches);
        Assert.Null(await _h.PoolAsync(old.Id));
        Assert.Null(await _h.PoolAsync(fresh.Id));
        Assert.Empty(await _h.FindingsAsync());
        Assert.Equal(DecisionReason.ExistingPoolOutsideWindow, Assert.Single(await _h.Memory.GetDecisionsAsync(old.Id, 10, CancellationToken.None)).Reason);
        await _h.Arm.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task RunAsync_ObserveSetting_NewPoolRecordedButNotWritten()
    {
        _h.Settings.DryRun = true;
        var fresh = _h.List(TestData.ScaleSet(an: false, age: TimeSpan.FromMinutes(5)));

        var run = await _h.RunAsync();

        Assert.Equal((1, 1, 1, 0, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged, run.Writes, run.InstanceChecks));
        var record = await _h.PoolAsync(fresh.Id);
        Assert.Equal((false, false), (record!.EnabledByApp, record.AcceleratedNetworking));
        await _h.Arm.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
    }

    [Fact]
    public async Task RunAsync_KnownPoolTheAppEnabled_NodesCheckedAndCounted()
    {
        var scaleSet = _h.ListOld("pool", an: true);
        await _h.RecordAsync(scaleSet, r => r with { EnabledByApp = true, EnabledAt = TestData.Now.AddDays(-3), InstancesNotOnLatestModel = 3 });

        var run = await _h.RunAsync();

        Assert.Equal((1, 0, 1, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged, run.InstanceChecks));
        Assert.Equal([0], _h.State.PoolBatches);
        var record = await _h.PoolAsync(scaleSet.Id);
        Assert.Equal((new InstanceCounts(3, 3, 3, 3, 0), (DateTimeOffset?)TestData.Now), (record!.Instances, record.InstancesCheckedAt));
        Assert.Equal(1, run.ArmCalls["ListInstances"]);

        // Its nodes all run with AN now: the next audit lists no instance.
        var next = await _h.RunAsync();
        Assert.Equal((0, 0), (next.InstanceChecks, next.PoolsChanged));
    }

    [Fact]
    public async Task RunAsync_KnownPoolTheAppEnabledInADryRun_NodesNotChecked()
    {
        var scaleSet = _h.ListOld("pool", an: true);
        await _h.RecordAsync(scaleSet, r => r with { EnabledByApp = true, InstancesNotOnLatestModel = 3 });

        var run = await _h.RunAsync(new AuditRequest("test", DryRun: true));

        Assert.Equal((1, 0, 0), (run.PoolsSeen, run.PoolsChanged, run.InstanceChecks));
        await _h.Arm.DidNotReceiveWithAnyArgs().ListInstancesAsync(default!, default);
    }

    [Fact]
    public async Task RunAsync_NodeListingFails_ThatPoolsErrorReportedAndTheOthersAudited()
    {
        var failing = _h.ListOld("pool-a", an: true);
        await _h.RecordAsync(failing, r => r with { EnabledByApp = true, InstancesNotOnLatestModel = 3 });
        var other = _h.ListOld("pool-b", an: true);
        _h.InstanceFailure = new ArmRequestException(503, "ServerBusy", "instances could not be listed");

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([$"{failing.Id}: instances could not be listed"], run.Errors);
        Assert.Equal([new SubscriptionAudit(Sub, 2, null)], run.Subscriptions);
        Assert.Equal((2, 1, 2, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged, run.InstanceChecks));
        Assert.NotNull(await _h.PoolAsync(other.Id));
    }

    [Fact]
    public async Task RunAsync_SkuListFails_EachPoolsErrorReportedAndNothingWritten()
    {
        var a = _h.ListOld("pool-a");
        var b = _h.ListOld("pool-b");
        _h.CatalogFailure = new ArmRequestException(429, "TooManyRequests", "skus throttled");

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([$"{a.Id}: skus throttled", $"{b.Id}: skus throttled"], run.Errors.Order(StringComparer.Ordinal));
        Assert.Equal((2, 0, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
        Assert.Equal([new SubscriptionAudit(Sub, 2, null)], run.Subscriptions);
        Assert.Null(await _h.PoolAsync(a.Id));
    }

    [Fact]
    public async Task RunAsync_NewPoolsWriteRefusedEveryTime_ThatPoolsErrorReported()
    {
        var fresh = _h.List(TestData.ScaleSet(an: false, age: TimeSpan.FromMinutes(5)));
        _h.SendFailure = new ArmRequestException(412, "PreconditionFailed", "etag moved");

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([$"{fresh.Id}: etag moved"], run.Errors);
        Assert.Equal((1, 0, 1, 0), (run.PoolsSeen, run.Writes, run.PoolsChanged, run.InstanceChecks));
    }

    [Fact]
    public async Task RunAsync_KnownPoolWithTheAppsWriteNotConcluded_FollowedUpByThePerPoolPath()
    {
        var scaleSet = _h.ListOld("pool", an: true);
        await _h.RecordAsync(scaleSet, r => r with
        {
            PendingWrite = new PendingWrite { Id = "write-1", StartedAt = TestData.Now.AddMinutes(-10), Attempt = 1, State = PendingWriteState.Accepted, OperationUrl = "https://management.azure.com/op/1" },
        });

        var run = await _h.RunAsync();

        Assert.Empty(run.Errors);
        Assert.Equal((1, 0, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
        Assert.Equal([0], _h.State.PoolBatches);
        await _h.Arm.Received(1).GetOperationAsync("https://management.azure.com/op/1", Arg.Any<CancellationToken>());
        Assert.Null((await _h.PoolAsync(scaleSet.Id))!.PendingWrite);
    }

    [Fact]
    public async Task RunAsync_NewPoolsRecordConflictsEveryTime_ThatPoolsErrorReported()
    {
        var fresh = _h.List(TestData.ScaleSet(an: false, age: TimeSpan.FromMinutes(5)));
        _h.ListOld("other");
        _h.State.SaveFailure = new ConcurrencyConflictException("pool raced");

        var run = await _h.RunAsync();

        Assert.Equal([$"{fresh.Id}: pool raced"], run.Errors);
        Assert.Equal((2, 1, 2, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged, run.Writes));
    }

    [Fact]
    public async Task RunAsync_NodeCountsConflictOnSave_ThatPoolsErrorReported()
    {
        var scaleSet = _h.ListOld("pool", an: true);
        await _h.RecordAsync(scaleSet, r => r with { EnabledByApp = true, InstancesNotOnLatestModel = 3 });
        _h.State.SaveFailure = new ConcurrencyConflictException("counts raced");

        var run = await _h.RunAsync();

        Assert.Equal([$"{scaleSet.Id}: counts raced"], run.Errors);
        Assert.Equal((1, 1), (run.InstanceChecks, run.PoolsChanged));
    }

    [Fact]
    public async Task RunAsync_StoreFailsOnAFullChunkDuringTheListing_SubscriptionFailsWithoutCompletingWhatWasListed()
    {
        for (var i = 0; i < AuditSweeper.ChunkSize; i++)
        {
            _h.ListOld($"pool-{i:D4}");
        }

        _h.State.BeforeNextBatch = () => throw new StateStoreUnavailableException("tables down");

        var run = await _h.RunAsync();

        Assert.Equal([new SubscriptionAudit(Sub, 1000, "tables down")], run.Subscriptions);
        Assert.Equal([$"{Sub}: tables down"], run.Errors);
        Assert.Empty(_h.State.PoolBatches);
        Assert.Equal(0, run.PoolsRecorded);
    }

    [Fact]
    public async Task RunAsync_PoolTheAppEnabledResized_NodesCheckedOnTheRecordJustSaved()
    {
        var scaleSet = _h.ListOld("pool", an: true, size: "Standard_D8s_v3");
        var before = TestData.ScaleSet(an: true, age: TimeSpan.FromDays(20), name: "pool");
        await _h.RecordAsync(before, r => r with { EnabledByApp = true, InstancesNotOnLatestModel = 3 });

        var run = await _h.RunAsync();

        Assert.Empty(run.Errors);
        Assert.Equal((1, 0, 1, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged, run.InstanceChecks));
        Assert.Equal([1], _h.State.PoolBatches);
        var record = await _h.PoolAsync(scaleSet.Id);
        Assert.Equal(["Standard_D8s_v3"], record!.VmSizes);
        Assert.Equal(new InstanceCounts(3, 3, 3, 3, 0), record.Instances);
        Assert.Equal([FindingId(scaleSet, FindingKind.SizeChanged)], run.FindingsOpened);
    }

    [Fact]
    public async Task RunAsync_DryRunOverAPoolWithTheAppsWritePending_NeitherFollowedUpNorNodesChecked()
    {
        var scaleSet = _h.ListOld("pool", an: true);
        var stored = await _h.RecordAsync(scaleSet, r => r with
        {
            EnabledByApp = true,
            InstancesNotOnLatestModel = 3,
            PendingWrite = new PendingWrite { Id = "write-1", StartedAt = TestData.Now.AddMinutes(-10), Attempt = 1, State = PendingWriteState.Accepted, OperationUrl = "https://management.azure.com/op/1" },
        });

        var run = await _h.RunAsync(new AuditRequest("test", DryRun: true));

        Assert.Empty(run.Errors);
        Assert.Equal((1, 1, 0), (run.PoolsSeen, run.PoolsChanged, run.InstanceChecks));
        await _h.Arm.DidNotReceiveWithAnyArgs().ListInstancesAsync(default!, default);
        await _h.Arm.DidNotReceiveWithAnyArgs().GetOperationAsync(default!, default);
        Assert.Equal(stored, await _h.PoolAsync(scaleSet.Id));
    }

    private sealed class TupleComparer : IEqualityComparer<(PoolRecord?, PoolRecord?, List<Finding>)>
    {
        public bool Equals((PoolRecord?, PoolRecord?, List<Finding>) x, (PoolRecord?, PoolRecord?, List<Finding>) y) =>
            Equals(x.Item1, y.Item1) && Equals(x.Item2, y.Item2) && x.Item3.SequenceEqual(y.Item3);

        public int GetHashCode((PoolRecord?, PoolRecord?, List<Finding>) obj) => 0;
    }
}
