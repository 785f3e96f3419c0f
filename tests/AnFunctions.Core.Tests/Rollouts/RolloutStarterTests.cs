using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Tests.Events;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AnFunctions.Core.Tests.Rollouts.RolloutHarness;

namespace AnFunctions.Core.Tests.Rollouts;

public sealed class RolloutStarterTests
{
    private static Task<RolloutStart> StartAsync(RolloutHarness h, int batchSize = 1, bool dryRun = false, string trigger = "http") =>
        h.Starter.StartAsync(h.Id, batchSize, dryRun, trigger, CancellationToken.None);

    private static async Task AssertNothingRecordedOrQueuedAsync(RolloutHarness h)
    {
        Assert.Null(await h.Store.GetLatestAsync(h.Id, CancellationToken.None));
        await h.Queue.DidNotReceiveWithAnyArgs().EnqueueAsync(default!, default);
        Assert.Empty(h.Actions);
    }

    [Fact]
    public async Task Start_PoolWithNodesWithoutAn_RecordsTheRolloutQueuesItAndAnswersIt()
    {
        var h = new RolloutHarness(running: 2);
        h.Nodes["2"] = new PoolInstance("2", PowerState.Running, true, false, ProtectedFromScaleSetActions: true);

        var start = await StartAsync(h, trigger: "cli");

        Assert.Equal(RolloutStartStatus.Accepted, start.Status);
        var rollout = start.Rollout!;
        Assert.StartsWith("rollout-20261125T100000Z-", rollout.RolloutId, StringComparison.Ordinal);
        Assert.True(Rollout.IsValidId(rollout.RolloutId));
        Assert.Equal(h.Id, rollout.PoolId);
        Assert.Equal((1, "cli", TestData.Now, RolloutStatus.Queued), (rollout.BatchSize, rollout.Trigger, rollout.RequestedAt, rollout.Status));
        Assert.Equal([["0"], ["1"]], rollout.Batches.Select(b => b.InstanceIds));
        Assert.Same(start.Plan!.Batches, rollout.Batches);
        Assert.Equal([new SkippedInstance("2", "protected from scale-set actions: never touched")], rollout.Skipped);
        Assert.NotNull(rollout.Version);
        Assert.Equal(rollout, await h.Store.GetActiveAsync(h.Id, CancellationToken.None));
        await h.Queue.Received(1).EnqueueAsync(new RolloutMessage(rollout.RolloutId), Arg.Any<CancellationToken>());
        Assert.Empty(h.Actions);
    }

    [Fact]
    public async Task Start_Accepted_AnswersTheRolloutAsStoredAfterQueueing()
    {
        var h = new RolloutHarness(running: 1);
        var store = Substitute.For<IRolloutStore>();
        store.StartAsync(Arg.Any<Rollout>(), Arg.Any<CancellationToken>()).Returns(call => call.Arg<Rollout>() with { Version = "v1" });
        var recordedId = string.Empty;
        store.GetAsync(Arg.Do<string>(id => recordedId = id), Arg.Any<CancellationToken>())
            .Returns(call => h.Rollout(Batch(0, ["0"])) with { RolloutId = call.Arg<string>(), Status = RolloutStatus.Succeeded, Version = "v9" });
        var starter = new RolloutStarter(h.Arm, h.Catalogs, store, h.Queue, CoreWiring.Monitor(h.Settings), h.Time, NullLogger<RolloutStarter>.Instance);

        var start = await starter.StartAsync(h.Id, 1, false, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.Accepted, start.Status);
        Assert.Equal((RolloutStatus.Succeeded, "v9", recordedId), (start.Rollout!.Status, start.Rollout.Version, start.Rollout.RolloutId));
    }

    [Fact]
    public async Task Start_RolloutGoneWhenReadBack_AnswersTheRecordedOne()
    {
        var h = new RolloutHarness(running: 1);
        var store = Substitute.For<IRolloutStore>();
        store.StartAsync(Arg.Any<Rollout>(), Arg.Any<CancellationToken>()).Returns(call => call.Arg<Rollout>() with { Version = "v1" });
        var starter = new RolloutStarter(h.Arm, h.Catalogs, store, h.Queue, CoreWiring.Monitor(h.Settings), h.Time, NullLogger<RolloutStarter>.Instance);

        var start = await starter.StartAsync(h.Id, 1, false, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.Accepted, start.Status);
        Assert.Equal((RolloutStatus.Queued, "v1"), (start.Rollout!.Status, start.Rollout.Version));
    }

    [Fact]
    public async Task Start_DryRun_AnswersThePlanAndRecordsNothing()
    {
        var h = new RolloutHarness(running: 2);

        var start = await StartAsync(h, dryRun: true);

        Assert.Equal(RolloutStartStatus.Planned, start.Status);
        Assert.Equal([["0"], ["1"]], start.Plan!.Batches.Select(b => b.InstanceIds));
        Assert.Null(start.Rollout);
        await AssertNothingRecordedOrQueuedAsync(h);
    }

    [Fact]
    public async Task Start_WhileThePoolHasARolloutQueued_AnswersThatOneAndRecordsNothing()
    {
        var h = new RolloutHarness(running: 2);
        var active = await h.RecordAsync(Batch(0, ["0"]));

        var start = await StartAsync(h, trigger: "cli");

        Assert.Equal(RolloutStartStatus.InProgress, start.Status);
        Assert.Equal(active, start.Rollout);
        Assert.Equal(2, start.Plan!.Batches.Count);
        Assert.Equal(active, await h.Store.GetLatestAsync(h.Id, CancellationToken.None));
        await h.Queue.DidNotReceiveWithAnyArgs().EnqueueAsync(default!, default);
    }

    [Fact]
    public async Task Start_DryRunWhileThePoolHasARolloutQueued_StillAnswersThePlan()
    {
        var h = new RolloutHarness(running: 2);
        await h.RecordAsync(Batch(0, ["0"]));

        var start = await StartAsync(h, dryRun: true);

        Assert.Equal(RolloutStartStatus.Planned, start.Status);
        Assert.Null(start.Rollout);
    }

    [Fact]
    public async Task Start_AnotherRequestRecordedItsRolloutFirst_AnswersInProgressWithThatOne()
    {
        var h = new RolloutHarness(running: 1);
        var theirs = h.Rollout(Batch(0, ["0"])) with { Version = "v3" };
        var store = Substitute.For<IRolloutStore>();
        store.StartAsync(Arg.Any<Rollout>(), Arg.Any<CancellationToken>()).ThrowsAsync(new RolloutInProgressException(theirs));
        var starter = new RolloutStarter(h.Arm, h.Catalogs, store, h.Queue, CoreWiring.Monitor(h.Settings), h.Time, NullLogger<RolloutStarter>.Instance);

        var start = await starter.StartAsync(h.Id, 1, false, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.InProgress, start.Status);
        Assert.Same(theirs, start.Rollout);
        Assert.NotNull(start.Plan);
        await h.Queue.DidNotReceiveWithAnyArgs().EnqueueAsync(default!, default);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Start_EveryNodeAlreadyHasAn_NothingToDoWithTheLastRollout(bool dryRun)
    {
        var h = new RolloutHarness(running: 2);
        foreach (var id in h.Nodes.Keys.ToList())
        {
            h.Nodes[id] = h.Nodes[id] with { AcceleratedNetworking = true };
        }

        var before = await StartAsync(h, dryRun: dryRun);
        var last = await h.Store.SaveAsync((await h.RecordAsync(Batch(0, ["0"]))) with { Status = RolloutStatus.Succeeded }, CancellationToken.None);
        var after = await StartAsync(h, dryRun: dryRun);

        Assert.Equal((RolloutStartStatus.NothingToDo, null), (before.Status, before.Rollout));
        Assert.Equal((RolloutStartStatus.NothingToDo, last), (after.Status, after.Rollout));
        Assert.True(after.Plan!.NothingToDo);
        await h.Queue.DidNotReceiveWithAnyArgs().EnqueueAsync(default!, default);
    }

    [Fact]
    public async Task Start_SubscriptionOutOfScope_AnswersOutOfScopeWithoutReadingArm()
    {
        var h = new RolloutHarness(running: 2);
        h.Settings.Subscriptions = TestData.OtherSubscription;

        var start = await StartAsync(h);

        Assert.Equal(new RolloutStart(RolloutStartStatus.OutOfScope, null, null), start);
        await h.Arm.DidNotReceiveWithAnyArgs().GetAsync(default!, default);
        await AssertNothingRecordedOrQueuedAsync(h);
    }

    [Fact]
    public async Task Start_SubscriptionInScope_IsPlanned()
    {
        var h = new RolloutHarness(running: 2);
        h.Settings.Subscriptions = $"{TestData.OtherSubscription}, {TestData.Subscription.ToUpperInvariant()}";

        Assert.Equal(RolloutStartStatus.Planned, (await StartAsync(h, dryRun: true)).Status);
    }

    [Fact]
    public async Task Start_ScaleSetGone_AnswersNotFoundWithoutListingInstances()
    {
        var h = new RolloutHarness(running: 2) { ScaleSet = null };

        var start = await StartAsync(h);

        Assert.Equal(new RolloutStart(RolloutStartStatus.NotFound, null, null), start);
        await h.Arm.DidNotReceiveWithAnyArgs().ListInstancesAsync(default!, default);
        await AssertNothingRecordedOrQueuedAsync(h);
    }

    [Fact]
    public async Task Start_AksManagedPool_RefusedWithoutReadingTheCatalogOrTheInstances()
    {
        var h = new RolloutHarness(running: 2);
        h.ScaleSet = TestData.ScaleSet(an: true, tags: new Dictionary<string, string> { ["aks-managed-poolName"] = "np1" });

        var start = await StartAsync(h);

        Assert.Equal(RolloutStartStatus.Refused, start.Status);
        Assert.Equal(RolloutRefusal.AksManaged, start.Plan!.Refusal);
        Assert.Null(start.Rollout);
        await h.Catalogs.DidNotReceiveWithAnyArgs().GetAsync(default!, default!, default);
        await h.Arm.DidNotReceiveWithAnyArgs().ListInstancesAsync(default!, default);
        await AssertNothingRecordedOrQueuedAsync(h);
    }

    [Fact]
    public async Task Start_BatchAboveMaxUnavailable_RefusedNamingTheSettingEvenWithARolloutQueued()
    {
        var h = new RolloutHarness(running: 2);
        var active = await h.RecordAsync(Batch(0, ["0"]));

        var start = await StartAsync(h, batchSize: 2);

        Assert.Equal(RolloutStartStatus.Refused, start.Status);
        Assert.Equal(RolloutRefusal.BatchTooLarge, start.Plan!.Refusal);
        Assert.Equal("a batch of 2 node(s) is not allowed: AcceleratedNetworking:MaxUnavailable 1 allows 1 of this pool's 2 node(s) down at once", start.Plan.Explanation);
        Assert.Null(start.Rollout);
        Assert.Equal(active, await h.Store.GetLatestAsync(h.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Start_MaxUnavailableSetting_BoundsTheBatchAndThePlanReadsThePoolsRegion()
    {
        var h = new RolloutHarness(running: 3);
        h.Settings.MaxUnavailable = "2";

        var start = await StartAsync(h, batchSize: 2, dryRun: true);

        Assert.Equal(RolloutStartStatus.Planned, start.Status);
        Assert.Equal((2, 2), (start.Plan!.MaxUnavailable, start.Plan.NodesDownAtOnce));
        Assert.Equal([["0", "1"], ["2"]], start.Plan.Batches.Select(b => b.InstanceIds));
        await h.Catalogs.Received(1).GetAsync(TestData.Subscription, "westeurope", Arg.Any<CancellationToken>());
        await h.Arm.Received(1).ListInstancesAsync(h.Id, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Start_OptOutTagOfTheSettings_Refused()
    {
        var h = new RolloutHarness(running: 2);
        h.Settings.OptOutTag = "team-automation";
        h.ScaleSet = TestData.ScaleSet(an: true, tags: new Dictionary<string, string> { ["team-automation"] = "Disabled" });

        var start = await StartAsync(h);

        Assert.Equal((RolloutStartStatus.Refused, RolloutRefusal.OptedOut), (start.Status, start.Plan!.Refusal));
        Assert.Equal("tag team-automation=disabled opts this pool out of automation", start.Plan.Explanation);
    }

    [Fact]
    public async Task Start_SizeWithoutAnInTheRegion_RefusedFromTheCatalog()
    {
        var h = new RolloutHarness(running: 2);
        h.ScaleSet = TestData.ScaleSet(an: true, size: "Standard_B2s");

        var start = await StartAsync(h);

        Assert.Equal((RolloutStartStatus.Refused, RolloutRefusal.SizeNotSupported), (start.Status, start.Plan!.Refusal));
        Assert.StartsWith("the pool's size does not support AN in westeurope: ", start.Plan.Explanation, StringComparison.Ordinal);
        await AssertNothingRecordedOrQueuedAsync(h);
    }
}
