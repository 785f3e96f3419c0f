using System.Text.Json.Nodes;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulator;
using AnFunctions.Functions;
using AnFunctions.InMemory.Rollouts;

namespace AnFunctions.Tests.Rollouts;

/// <summary>
/// The on-call rollout through the app's real DI against the emulator, whose instances refuse an AN change while they
/// run: batches, the documented path, the first failure stopping it, resuming after a crash, one rollout per pool.
/// </summary>
public sealed class RolloutTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private AppUnderTest _app = AppUnderTest.Create(now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private RolloutStarter Starter => _app.Get<RolloutStarter>();

    /// <summary>A pool the app enabled AN on (upgrade policy Manual): the model has AN, its running nodes do not.</summary>
    private async Task<ScaleSetId> MixedPoolAsync(string name = "mixed", int capacity = 3)
    {
        var scaleSet = Fleet.ScaleSet(name, "Standard_D4s_v5", Now.AddMinutes(-2), an: false);
        scaleSet["sku"]!["capacity"] = capacity;
        _app.Emulator.PutScaleSet(scaleSet);
        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(Fleet.Id(name), $"create-{name}"), CancellationToken.None);
        Assert.All(_app.Emulator.GetInstances(Fleet.Id(name))!, i => Assert.False(i.AcceleratedNetworking));
        _app.Emulator.ResetInstrumentation();
        return ScaleSetId.Parse(Fleet.Id(name));
    }

    private async Task UseQueueWithoutRunningAsync()
    {
        await Task.CompletedTask;
        _app.Get<InMemoryRolloutQueue>().RunImmediately = false;
    }

    [Fact]
    public async Task Start_DryRun_AnswersThePlanAndTouchesNothing()
    {
        var id = await MixedPoolAsync();

        var start = await Starter.StartAsync(id, batchSize: 1, dryRun: true, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.Planned, start.Status);
        Assert.Equal([["0"], ["1"], ["2"]], start.Plan!.Batches.Select(b => b.InstanceIds));
        Assert.Null(start.Rollout);
        Assert.Empty(_app.Emulator.Writes);
        Assert.Null(await _app.Get<IRolloutStore>().GetLatestAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Start_Apply_EveryNodeGetsAnOneBatchAtATimeWithinMaxUnavailable()
    {
        var id = await MixedPoolAsync();

        var start = await Starter.StartAsync(id, batchSize: 1, dryRun: false, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.Accepted, start.Status);
        var rollout = (await _app.Get<IRolloutStore>().GetAsync(start.Rollout!.RolloutId, CancellationToken.None))!;
        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.All(rollout.Batches, b => Assert.Equal(BatchStep.Done, b.Step));
        Assert.All(_app.Emulator.GetInstances(id.Value)!, i => Assert.True(i.IsRunning && i.AcceleratedNetworking && i.LatestModelApplied));
        // One node down at a time: each batch is started again before the next one is deallocated.
        Assert.Equal(Enumerable.Repeat((1, "deallocate", 1), 3), _app.Emulator.Disruptions.Select(d => (d.Instances, d.Cause, d.NodesDown)));
        // The documented path, batch after batch: deallocate, manualupgrade, start.
        Assert.Equal(
            ["deallocate", "manualupgrade", "start", "deallocate", "manualupgrade", "start", "deallocate", "manualupgrade", "start"],
            _app.Emulator.Writes.Select(w => w.ResourceId.Split('/')[^1]));
        Assert.Null(await _app.Get<IRolloutStore>().GetActiveAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Start_ReSentForAFinishedRollout_DoesNothing()
    {
        var id = await MixedPoolAsync();
        var first = await Starter.StartAsync(id, 1, dryRun: false, "http", CancellationToken.None);
        _app.Emulator.ResetInstrumentation();

        var again = await Starter.StartAsync(id, 1, dryRun: false, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.NothingToDo, again.Status);
        Assert.Equal(first.Rollout!.RolloutId, again.Rollout!.RolloutId);
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task Start_WhileAnotherRolloutOfThePoolIsQueued_IsRefusedAndNamesIt()
    {
        var id = await MixedPoolAsync();
        await UseQueueWithoutRunningAsync();
        var first = await Starter.StartAsync(id, 1, dryRun: false, "http", CancellationToken.None);

        var second = await Starter.StartAsync(id, 1, dryRun: false, "cli", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.InProgress, second.Status);
        Assert.Equal(first.Rollout!.RolloutId, second.Rollout!.RolloutId);
        Assert.Single(_app.Get<InMemoryRolloutQueue>().Pending);
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task Run_OperationFailsInTheSecondBatch_StopsThereStartsThatBatchAgainAndLeavesTheRestAlone()
    {
        var id = await MixedPoolAsync();
        await UseQueueWithoutRunningAsync();
        var start = await Starter.StartAsync(id, 1, dryRun: false, "http", CancellationToken.None);
        var runner = _app.Get<RolloutRunner>();
        // The first batch goes through; the second batch's upgrade is refused for good.
        var upgrades = 0;
        _app.Emulator.AddFault(new FaultRule
        {
            Kind = ArmCallKind.InstanceAction,
            When = r => r.Path.EndsWith("/manualupgrade", StringComparison.Ordinal) && ++upgrades == 2,
            Status = 400,
            ErrorCode = "InvalidParameter",
            ErrorMessage = "The instance is being repaired and cannot be upgraded.",
            Times = 1,
        });

        var rollout = (await runner.RunAsync(start.Rollout!.RolloutId, CancellationToken.None))!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.Equal([BatchStep.Done, BatchStep.Deallocated, BatchStep.Pending], rollout.Batches.Select(b => b.Step));
        Assert.Contains("batch 1 (1) failed at Deallocated", rollout.Error, StringComparison.Ordinal);
        Assert.Contains("started again", rollout.Error, StringComparison.Ordinal);
        var instances = _app.Emulator.GetInstances(id.Value)!;
        Assert.All(instances, i => Assert.True(i.IsRunning));
        Assert.Equal([true, false, false], instances.Select(i => i.AcceleratedNetworking));
        Assert.Null(await _app.Get<IRolloutStore>().GetActiveAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Run_CrashAfterTheFirstDeallocate_RedeliveredMessageResumesWithoutRedoingAnyStep()
    {
        var id = await MixedPoolAsync(capacity: 2);
        await UseQueueWithoutRunningAsync();
        var start = await Starter.StartAsync(id, 1, dryRun: false, "http", CancellationToken.None);
        var message = Assert.Single(_app.Get<InMemoryRolloutQueue>().Pending);
        // The upgrade of the first batch gets no answer (the instance crashes with the call in flight): transient.
        _app.Emulator.AddFault(new FaultRule { Kind = ArmCallKind.InstanceAction, When = r => r.Path.EndsWith("/manualupgrade", StringComparison.Ordinal), DropConnection = true, Times = 1 });

        await Assert.ThrowsAnyAsync<Exception>(() => _app.Get<RolloutRunner>().RunMessageAsync(message, CancellationToken.None));
        var halfway = (await _app.Get<IRolloutStore>().GetAsync(start.Rollout!.RolloutId, CancellationToken.None))!;
        Assert.Equal((RolloutStatus.Running, BatchStep.Deallocated), (halfway.Status, halfway.Batches[0].Step));
        var rollout = (await _app.Get<RolloutRunner>().RunMessageAsync(message, CancellationToken.None))!;

        Assert.Equal(RolloutStatus.Succeeded, rollout.Status);
        Assert.Equal(1, _app.Emulator.Writes.Count(w => w.ResourceId.EndsWith("/deallocate", StringComparison.Ordinal) && w.Body!["instanceIds"]![0]!.GetValue<string>() == "0"));
        Assert.All(_app.Emulator.GetInstances(id.Value)!, i => Assert.True(i.IsRunning && i.AcceleratedNetworking));
        Assert.All(_app.Emulator.Disruptions, d => Assert.Equal((1, 1), (d.Instances, d.NodesDown)));
    }

    [Fact]
    public async Task Run_TransientFailuresBeyondTheLimit_StopsTheRolloutAndFreesThePool()
    {
        var id = await MixedPoolAsync(capacity: 1);
        await UseQueueWithoutRunningAsync();
        var start = await Starter.StartAsync(id, 1, dryRun: false, "http", CancellationToken.None);
        _app.Emulator.FailNext(ArmCallKind.InstanceAction, 503, "ServiceUnavailable", times: 100);
        var message = new RolloutMessage(start.Rollout!.RolloutId).ToJson();

        for (var attempt = 1; attempt < RolloutRunner.MaxTransientFailures; attempt++)
        {
            await Assert.ThrowsAsync<AnFunctions.Core.Arm.ArmRequestException>(() => _app.Get<RolloutRunner>().RunMessageAsync(message, CancellationToken.None));
        }

        var rollout = (await _app.Get<RolloutRunner>().RunMessageAsync(message, CancellationToken.None))!;

        Assert.Equal(RolloutStatus.Failed, rollout.Status);
        Assert.Contains("given up", rollout.Error, StringComparison.Ordinal);
        Assert.Null(await _app.Get<IRolloutStore>().GetActiveAsync(id, CancellationToken.None));
        Assert.All(_app.Emulator.GetInstances(id.Value)!, i => Assert.True(i.IsRunning));
    }

    [Fact]
    public async Task Run_RedeliveredMessageOfAFinishedRollout_DoesNothing()
    {
        var id = await MixedPoolAsync(capacity: 1);
        var start = await Starter.StartAsync(id, 1, dryRun: false, "http", CancellationToken.None);
        _app.Emulator.ResetInstrumentation();

        var rollout = await _app.Get<RolloutRunner>().RunMessageAsync(new RolloutMessage(start.Rollout!.RolloutId).ToJson(), CancellationToken.None);

        Assert.Equal(RolloutStatus.Succeeded, rollout!.Status);
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task RunMessage_NotARollout_ThrowsFormatException()
    {
        await Assert.ThrowsAsync<FormatException>(() => _app.Get<RolloutRunner>().RunMessageAsync("{\"runId\":\"audit-x\"}", CancellationToken.None));
    }

    [Fact]
    public async Task Start_AksManagedPool_RefusedWithoutListingItsInstances()
    {
        var scaleSet = Fleet.ScaleSet("aks-np1-1-vmss", "Standard_D4s_v5", Now.AddDays(-3), an: true, tags: new JsonObject { ["aks-managed-poolName"] = "np1" });
        _app.Emulator.PutScaleSet(scaleSet);

        var start = await Starter.StartAsync(ScaleSetId.Parse(Fleet.Id("aks-np1-1-vmss")), 1, dryRun: false, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.Refused, start.Status);
        Assert.Equal(RolloutRefusal.AksManaged, start.Plan!.Refusal);
        Assert.Equal(0, _app.Emulator.Count(ArmCallKind.ListInstances));
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task Start_ModelWithoutAn_Refused()
    {
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("old", "Standard_D4s_v5", Now.AddDays(-3), an: false));

        var start = await Starter.StartAsync(ScaleSetId.Parse(Fleet.Id("old")), 1, dryRun: false, "http", CancellationToken.None);

        Assert.Equal(RolloutRefusal.ModelWithoutAcceleratedNetworking, start.Plan!.Refusal);
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task Start_BatchAboveMaxUnavailable_Refused()
    {
        var id = await MixedPoolAsync();

        var start = await Starter.StartAsync(id, batchSize: 2, dryRun: false, "http", CancellationToken.None);

        Assert.Equal(RolloutRefusal.BatchTooLarge, start.Plan!.Refusal);
        Assert.Contains("MaxUnavailable 1", start.Plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownPool_NotFound()
    {
        var start = await Starter.StartAsync(ScaleSetId.Parse(Fleet.Id("missing")), 1, dryRun: true, "http", CancellationToken.None);

        Assert.Equal(RolloutStartStatus.NotFound, start.Status);
    }
}
