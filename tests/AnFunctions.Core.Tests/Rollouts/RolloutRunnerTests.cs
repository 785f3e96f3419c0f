using AnFunctions.Core.Arm;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AnFunctions.Core.Tests.Rollouts.RolloutHarness;

namespace AnFunctions.Core.Tests.Rollouts;

public sealed class RolloutRunnerTests
{
    private const string RolloutId = "rollout-20261125T100000Z-0123abcd";
    private static readonly DateTimeOffset Now = TestData.Now;

    private static DateTimeOffset At(int minutes) => Now.AddMinutes(minutes);

    [Fact]
    public async Task Run_QueuedTwoBatches_EachGoesThroughDeallocateUpgradeStartBeforeTheNext()
    {
        var h = new RolloutHarness(running: 2);
        await h.RecordAsync(Batch(0, ["0"]), Batch(1, ["1"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(
            [
                Call(InstanceAction.Deallocate, "0"), Call(InstanceAction.ManualUpgrade, "0"), Call(InstanceAction.Start, "0"),
                Call(InstanceAction.Deallocate, "1"), Call(InstanceAction.ManualUpgrade, "1"), Call(InstanceAction.Start, "1"),
            ],
            h.Actions);
        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.Equal(Now, rollout.StartedAt);
        Assert.Equal(At(6), rollout.EndedAt);
        Assert.Null(rollout.Error);
        Assert.Equal([BatchStep.Done, BatchStep.Done], rollout.Batches.Select(b => b.Step));
        Assert.Equal([At(1), At(4)], rollout.Batches.Select(b => b.StartedAt));
        Assert.Equal([At(3), At(6)], rollout.Batches.Select(b => b.FinishedAt));
        Assert.All(rollout.Batches, b => Assert.Null(b.Error));
        Assert.Equal(rollout, await h.Store.GetAsync(RolloutId, CancellationToken.None));
        Assert.Null(await h.Store.GetActiveAsync(h.Id, CancellationToken.None));
        Assert.All(h.Nodes.Values, n => Assert.Equal((PowerState.Running, true), (n.PowerState, n.AcceleratedNetworking)));
    }

    [Fact]
    public async Task Run_BatchWithADeallocatedNode_OnlyTheRunningOneIsTakenDownAndStartedButBothAreUpgraded()
    {
        var h = new RolloutHarness(running: 1, deallocated: 1);
        await h.RecordAsync(Batch(0, ["0", "1"], running: ["0"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal([Call(InstanceAction.Deallocate, "0"), Call(InstanceAction.ManualUpgrade, "0", "1"), Call(InstanceAction.Start, "0")], h.Actions);
        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.Equal(PowerState.Deallocated, h.Nodes["1"].PowerState);
    }

    [Fact]
    public async Task Run_BatchOfDeallocatedNodesOnly_UpgradedWithoutDeallocateOrStart()
    {
        var h = new RolloutHarness(running: 0, deallocated: 2);
        await h.RecordAsync(Batch(0, ["0", "1"], running: []));

        var rollout = (await h.RunAsync())!;

        Assert.Equal([Call(InstanceAction.ManualUpgrade, "0", "1")], h.Actions);
        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        var batch = Assert.Single(rollout.Batches);
        Assert.Equal((Now, At(1)), (batch.StartedAt, batch.FinishedAt));
        Assert.Equal(At(1), rollout.EndedAt);
    }

    [Fact]
    public async Task Run_ResumedRunningRollout_ContinuesAtTheReachedStepAndKeepsItsTimes()
    {
        var h = new RolloutHarness(running: 2);
        h.Nodes["0"] = h.Nodes["0"] with { AcceleratedNetworking = true };
        h.Nodes["1"] = h.Nodes["1"] with { PowerState = PowerState.Deallocated };
        var recorded = await h.RecordAsync(
            Batch(0, ["0"]) with { Step = BatchStep.Done, StartedAt = At(-4), FinishedAt = At(-3) },
            Batch(1, ["1"]) with { Step = BatchStep.Deallocated, StartedAt = At(-2) });
        await h.Store.SaveAsync(recorded with { Status = RolloutStatus.Running, StartedAt = At(-4) }, CancellationToken.None);

        var rollout = (await h.RunAsync())!;

        Assert.Equal([Call(InstanceAction.ManualUpgrade, "1"), Call(InstanceAction.Start, "1")], h.Actions);
        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.Equal(At(-4), rollout.StartedAt);
        Assert.Equal((At(-4), At(-3)), (rollout.Batches[0].StartedAt, rollout.Batches[0].FinishedAt));
        Assert.Equal((At(-2), At(2)), (rollout.Batches[1].StartedAt, rollout.Batches[1].FinishedAt));
    }

    [Fact]
    public async Task Run_UnknownRollout_ReturnsNullAndTouchesNothing()
    {
        var h = new RolloutHarness();

        Assert.Null(await h.RunAsync());
        Assert.Empty(h.Actions);
    }

    [Theory]
    [InlineData(RolloutStatus.Succeeded)]
    [InlineData(RolloutStatus.Failed)]
    public async Task Run_FinishedRollout_ReturnedAsItIsWithoutActionOrSave(RolloutStatus status)
    {
        var h = new RolloutHarness();
        var recorded = await h.RecordAsync(Batch(0, ["0"]));
        var finished = await h.Store.SaveAsync(recorded with { Status = status }, CancellationToken.None);

        var rollout = await h.RunAsync();

        Assert.Equal(finished, rollout);
        Assert.Equal(finished.Version, (await h.Store.GetAsync(RolloutId, CancellationToken.None))!.Version);
        Assert.Empty(h.Actions);
        await h.Arm.DidNotReceiveWithAnyArgs().ListInstancesAsync(default!, default);
    }

    [Fact]
    public async Task Run_EveryStep_IsSavedBeforeTheNextStarts()
    {
        var h = new RolloutHarness(running: 1);
        await h.RecordAsync(Batch(0, ["0"]));
        var seen = new List<(RolloutStatus, BatchStep)>();
        h.Fault = (_, _) =>
        {
            var stored = h.Store.GetAsync(RolloutId, CancellationToken.None).Result!;
            seen.Add((stored.Status, stored.Batches[0].Step));
            return null;
        };

        await h.RunAsync();

        Assert.Equal([(RolloutStatus.Running, BatchStep.Pending), (RolloutStatus.Running, BatchStep.Deallocated), (RolloutStatus.Running, BatchStep.Upgraded)], seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(null)]
    public async Task Run_UpgradeLeftANodeWithoutAn_FailsNamingItAndStartsTheBatchAgain(bool? an)
    {
        var h = new RolloutHarness(running: 3);
        h.UpgradeGivesAn = an;
        await h.RecordAsync(Batch(0, ["0", "1"]), Batch(1, ["2"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.Equal(
            "batch 0 (0, 1) failed at Upgraded: instance(s) 0, 1 of batch 0 did not come back running with AN; the batch's node(s) 0, 1 were started again",
            rollout.Error);
        Assert.Equal(
            "instance(s) 0, 1 of batch 0 did not come back running with AN; the batch's node(s) 0, 1 were started again",
            rollout.Batches[0].Error);
        Assert.Equal([BatchStep.Upgraded, BatchStep.Pending], rollout.Batches.Select(b => b.Step));
        Assert.Null(rollout.Batches[1].Error);
        Assert.Equal(At(4), rollout.EndedAt);
        Assert.Equal(
            [Call(InstanceAction.Deallocate, "0", "1"), Call(InstanceAction.ManualUpgrade, "0", "1"), Call(InstanceAction.Start, "0", "1"), Call(InstanceAction.Start, "0", "1")],
            h.Actions);
        Assert.Null(await h.Store.GetActiveAsync(h.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Run_NodeMissingFromTheListingAfterStart_FailsNamingOnlyThatNode()
    {
        var h = new RolloutHarness(running: 2);
        h.After = action =>
        {
            if (action == InstanceAction.Start)
            {
                h.Nodes.Remove("1");
            }
        };
        await h.RecordAsync(Batch(0, ["0", "1"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.StartsWith("batch 0 (0, 1) failed at Upgraded: instance(s) 1 of batch 0 did not come back running with AN;", rollout.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NodeThatRanDidNotComeBackUp_Fails()
    {
        var h = new RolloutHarness(running: 2);
        h.After = action =>
        {
            if (action == InstanceAction.Start)
            {
                h.Nodes["1"] = h.Nodes["1"] with { PowerState = PowerState.Stopped };
            }
        };
        await h.RecordAsync(Batch(0, ["0", "1"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.StartsWith("batch 0 (0, 1) failed at Upgraded: instance(s) 1 of batch 0 did not come back running with AN;", rollout.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DeallocatedNodeOfTheBatchStaysDownWithAn_PassesTheCheck()
    {
        var h = new RolloutHarness(running: 1, deallocated: 1);
        await h.RecordAsync(Batch(0, ["0", "1"], running: ["0"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.Equal((PowerState.Deallocated, true), (h.Nodes["1"].PowerState, h.Nodes["1"].AcceleratedNetworking));
    }

    [Fact]
    public async Task Run_DeallocateRefused_FailsAtPendingWithoutStartingAnythingAndLeavesLaterBatches()
    {
        var h = new RolloutHarness(running: 3);
        h.Fault = (action, _) => action == InstanceAction.Deallocate ? new ArmRequestException(400, "InvalidParameter", "the instance is being repaired") : null;
        await h.RecordAsync(Batch(0, ["0", "1"]), Batch(1, ["2"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.Equal("batch 0 (0, 1) failed at Pending: the instance is being repaired", rollout.Error);
        Assert.Equal("the instance is being repaired", rollout.Batches[0].Error);
        Assert.Equal([BatchStep.Pending, BatchStep.Pending], rollout.Batches.Select(b => b.Step));
        Assert.Equal([Call(InstanceAction.Deallocate, "0", "1")], h.Actions);
        Assert.Equal(At(1), rollout.EndedAt);
    }

    [Fact]
    public async Task Run_UpgradeRefusedInTheSecondBatch_FirstBatchDoneSecondStartedAgainThirdUntouched()
    {
        var h = new RolloutHarness(running: 3);
        h.Fault = (action, ids) => action == InstanceAction.ManualUpgrade && ids[0] == "1" ? new ArmRequestException(409, null, "conflict") { IsOperationFailure = true } : null;
        await h.RecordAsync(Batch(0, ["0"]), Batch(1, ["1"]), Batch(2, ["2"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.Equal("batch 1 (1) failed at Deallocated: conflict; the batch's node(s) 1 were started again", rollout.Error);
        Assert.Equal([BatchStep.Done, BatchStep.Deallocated, BatchStep.Pending], rollout.Batches.Select(b => b.Step));
        Assert.Equal(Call(InstanceAction.Start, "1"), h.Actions[^1]);
        Assert.Equal(6, h.Actions.Count);
        Assert.Equal(0, rollout.TransientFailures);
    }

    [Fact]
    public async Task Run_FailedBatchCannotBeStartedAgain_SaysItsNodesMayStillBeDeallocated()
    {
        var h = new RolloutHarness(running: 2);
        h.Fault = (action, _) => action switch
        {
            InstanceAction.ManualUpgrade => new ArmRequestException(400, null, "refused"),
            InstanceAction.Start => new ArmRequestException(403, null, "forbidden"),
            _ => null,
        };
        await h.RecordAsync(Batch(0, ["0", "1"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(
            "batch 0 (0, 1) failed at Deallocated: refused; starting the batch's node(s) 0, 1 again failed too (forbidden): they may still be deallocated",
            rollout.Error);
        Assert.Equal(RolloutStatus.Failed, rollout.Status);
    }

    [Fact]
    public async Task Run_UpgradeOfABatchWithoutRunningNodesRefused_FailsWithoutStartingAnything()
    {
        var h = new RolloutHarness(running: 0, deallocated: 1);
        h.Fault = (action, _) => action == InstanceAction.ManualUpgrade ? new ArmRequestException(400, null, "refused") : null;
        await h.RecordAsync(Batch(0, ["0"], running: []));

        var rollout = (await h.RunAsync())!;

        Assert.Equal("batch 0 (0) failed at Deallocated: refused", rollout.Error);
        Assert.Equal([Call(InstanceAction.ManualUpgrade, "0")], h.Actions);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    public async Task Run_TransientFailureBelowTheLimit_KeepsTheStepCountsItAndThrowsForTheQueue(int before, int after)
    {
        var h = new RolloutHarness(running: 2);
        h.Fault = (action, _) => action == InstanceAction.ManualUpgrade ? new ArmRequestException(503, "ServiceUnavailable", "try later") : null;
        var recorded = await h.RecordAsync(Batch(0, ["0"]), Batch(1, ["1"]));
        await h.Store.SaveAsync(recorded with { TransientFailures = before }, CancellationToken.None);

        var thrown = await Assert.ThrowsAsync<ArmRequestException>(() => h.RunAsync());

        Assert.Equal(503, thrown.Status);
        var stored = (await h.Store.GetAsync(RolloutId, CancellationToken.None))!;
        Assert.Equal(RolloutStatus.Running, stored.Status);
        Assert.Equal(after, stored.TransientFailures);
        Assert.Equal("try later", stored.LastTransientError);
        Assert.Null(stored.Error);
        Assert.Null(stored.EndedAt);
        Assert.Equal([BatchStep.Deallocated, BatchStep.Pending], stored.Batches.Select(b => b.Step));
        Assert.Null(stored.Batches[0].Error);
        Assert.Equal([Call(InstanceAction.Deallocate, "0"), Call(InstanceAction.ManualUpgrade, "0")], h.Actions);
        Assert.Equal(stored, await h.Store.GetActiveAsync(h.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Run_TransientFailureAtTheLimit_GivesUpStartsTheBatchAgainAndFreesThePool()
    {
        var h = new RolloutHarness(running: 1);
        h.Fault = (action, _) => action == InstanceAction.ManualUpgrade ? new ArmRequestException(429, null, "throttled") : null;
        var recorded = await h.RecordAsync(Batch(0, ["0"]));
        await h.Store.SaveAsync(recorded with { TransientFailures = RolloutRunner.MaxTransientFailures - 1 }, CancellationToken.None);

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.Equal(
            "batch 0 (0) failed at Deallocated: throttled (transient, but the 4th failure of this rollout: given up); the batch's node(s) 0 were started again",
            rollout.Error);
        Assert.Equal((RolloutRunner.MaxTransientFailures, "throttled"), (rollout.TransientFailures, rollout.LastTransientError));
        Assert.Equal(PowerState.Running, h.Nodes["0"].PowerState);
        Assert.Null(await h.Store.GetActiveAsync(h.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Run_FourTransientFailuresInARow_ThreeThrowsThenTheFourthStops()
    {
        var h = new RolloutHarness(running: 1);
        h.Fault = (action, _) => action == InstanceAction.Deallocate ? new ArmRequestException(0, null, "no answer") : null;
        await h.RecordAsync(Batch(0, ["0"]));

        for (var attempt = 1; attempt < RolloutRunner.MaxTransientFailures; attempt++)
        {
            await Assert.ThrowsAsync<ArmRequestException>(() => h.RunAsync());
        }

        var rollout = (await h.RunAsync())!;

        Assert.Equal(4, RolloutRunner.MaxTransientFailures);
        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.Equal("batch 0 (0) failed at Pending: no answer (transient, but the 4th failure of this rollout: given up)", rollout.Error);
        Assert.Equal(4, h.Actions.Count);
    }

    [Fact]
    public async Task Run_Cancelled_ThrowsAndLeavesTheRolloutRunningAtTheReachedStep()
    {
        var h = new RolloutHarness(running: 1);
        h.Fault = (action, _) => action == InstanceAction.ManualUpgrade ? new OperationCanceledException() : null;
        await h.RecordAsync(Batch(0, ["0"]));

        await Assert.ThrowsAsync<OperationCanceledException>(() => h.RunAsync());

        var stored = (await h.Store.GetAsync(RolloutId, CancellationToken.None))!;
        Assert.Equal((RolloutStatus.Running, BatchStep.Deallocated, 0), (stored.Status, stored.Batches[0].Step, stored.TransientFailures));
        Assert.Null(stored.Error);
    }

    [Fact]
    public async Task Run_Token_IsPassedToEveryArmCall()
    {
        var h = new RolloutHarness(running: 1);
        await h.RecordAsync(Batch(0, ["0"]));
        using var source = new CancellationTokenSource();

        await h.Runner.RunAsync(RolloutId, source.Token);

        await h.Arm.Received(3).RunInstanceActionAsync(h.Id, Arg.Any<InstanceAction>(), Arg.Any<IReadOnlyList<string>>(), source.Token);
        await h.Arm.Received(1).ListInstancesAsync(h.Id, source.Token);
    }

    [Fact]
    public async Task Run_Succeeded_ChecksTheActivePoolsNodesAgainAtOnce()
    {
        var h = new RolloutHarness(running: 2);
        await h.SavePoolAsync();
        await h.RecordAsync(Batch(0, ["0"]));

        await h.RunAsync();

        var pool = (await h.Pools.GetPoolAsync(h.Id, CancellationToken.None))!;
        Assert.Equal(new InstanceCounts(2, 2, 1, 2, 0), pool.Instances);
        Assert.Equal(At(3), pool.InstancesCheckedAt);
        var finding = Assert.Single(await h.Findings.ListForPoolAsync(h.Id, CancellationToken.None));
        Assert.Equal((FindingKind.NodesWithoutAcceleratedNetworking, "1 of 2 node(s) of nodepool-a1b2c run without AN"), (finding.Kind, finding.Message));
    }

    [Fact]
    public async Task Run_Failed_ChecksTheNodesAgainToo()
    {
        var h = new RolloutHarness(running: 1);
        h.UpgradeGivesAn = false;
        await h.SavePoolAsync();
        await h.RecordAsync(Batch(0, ["0"]));

        await h.RunAsync();

        Assert.Equal(new InstanceCounts(1, 1, 0, 1, 0), (await h.Pools.GetPoolAsync(h.Id, CancellationToken.None))!.Instances);
    }

    [Fact]
    public async Task Run_PoolDeletedOrUnknown_NodesNotCheckedAgain()
    {
        var deleted = new RolloutHarness(running: 1);
        await deleted.SavePoolAsync(PoolStatus.Deleted);
        await deleted.RecordAsync(Batch(0, ["0"]));
        var unknown = new RolloutHarness(running: 1);
        await unknown.RecordAsync(Batch(0, ["0"]));

        Assert.Equal(RolloutStatus.Succeeded, (await deleted.RunAsync())!.Status);
        Assert.Equal(RolloutStatus.Succeeded, (await unknown.RunAsync())!.Status);

        Assert.Null((await deleted.Pools.GetPoolAsync(deleted.Id, CancellationToken.None))!.Instances);
        await deleted.Arm.DidNotReceiveWithAnyArgs().GetAsync(default!, default);
        await unknown.Arm.DidNotReceiveWithAnyArgs().GetAsync(default!, default);
        await deleted.Arm.Received(1).ListInstancesAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Run_ScaleSetGoneAfterwards_NodesNotCheckedAgain()
    {
        var h = new RolloutHarness(running: 1);
        await h.SavePoolAsync();
        h.ScaleSet = null;
        await h.RecordAsync(Batch(0, ["0"]));

        Assert.Equal(RolloutStatus.Succeeded, (await h.RunAsync())!.Status);

        Assert.Null((await h.Pools.GetPoolAsync(h.Id, CancellationToken.None))!.Instances);
        await h.Arm.Received(1).ListInstancesAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>());
    }

    public static TheoryData<Exception> RecheckFailures() => new()
    {
        new ArmRequestException(500, null, "arm down"),
        new StateStoreUnavailableException("table down"),
        new ConcurrencyConflictException("raced"),
    };

    [Theory]
    [MemberData(nameof(RecheckFailures))]
    public async Task Run_RecheckFailsWithAKnownFailure_TheRolloutIsStillReported(Exception failure)
    {
        var h = new RolloutHarness(running: 1);
        await h.SavePoolAsync();
        h.Arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).ThrowsAsync(failure);
        await h.RecordAsync(Batch(0, ["0"]));

        var rollout = (await h.RunAsync())!;

        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.Equal(RolloutStatus.Succeeded, (await h.Store.GetAsync(RolloutId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Run_RecheckFailsWithAnythingElse_Throws()
    {
        var h = new RolloutHarness(running: 1);
        await h.SavePoolAsync();
        h.Arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("bug"));
        await h.RecordAsync(Batch(0, ["0"]));

        await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync());
    }

    [Fact]
    public async Task RunMessage_ARolloutsMessage_RunsIt()
    {
        var h = new RolloutHarness(running: 1);
        await h.RecordAsync(Batch(0, ["0"]));

        var rollout = await h.Runner.RunMessageAsync(new RolloutMessage(RolloutId).ToJson(), CancellationToken.None);

        Assert.Equal(RolloutStatus.Succeeded, rollout!.Status);
    }

    [Theory]
    [InlineData("{\"runId\":\"audit-x\"}")]
    [InlineData("not json")]
    [InlineData("{\"rolloutId\":\"rollout-1\"}")]
    public async Task RunMessage_NotARollout_ThrowsFormatExceptionSayingWhatIsExpected(string message)
    {
        var h = new RolloutHarness();

        var thrown = await Assert.ThrowsAsync<FormatException>(() => h.Runner.RunMessageAsync(message, CancellationToken.None));

        Assert.Equal("the queue message is not a rollout ({\"rolloutId\": \"rollout-...\"})", thrown.Message);
        Assert.Empty(h.Actions);
    }
}
