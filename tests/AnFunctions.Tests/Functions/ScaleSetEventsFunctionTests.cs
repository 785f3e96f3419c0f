using System.Text.Json.Nodes;
using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Functions;

/// <summary>The Event Grid function, built by the app's real DI, against the ARM emulator through the real Azure SDK.</summary>
public sealed class ScaleSetEventsFunctionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task RunAsync_NewPoolOnAnSize_PatchesEveryNicWithAnAndIfMatch()
    {
        var id = Fleet.Id("pool-new");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-new", "Standard_D4s_v5", Now.AddMinutes(-2), an: false, nics: 2));
        var etag = _app.Emulator.GetETag(id);

        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-1"), CancellationToken.None);

        var write = Assert.Single(_app.Emulator.Writes);
        Assert.Equal("PATCH", write.Method);
        Assert.Equal(id, write.ResourceId, ignoreCase: true);
        Assert.Equal(etag, write.IfMatch);
        Assert.Equal(200, write.Status);
        var nics = write.Body!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        Assert.Equal(2, nics.Count);
        Assert.All(nics, n => Assert.True(n!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>()));
        Assert.All(nics, n => Assert.Equal("None", n!["properties"]!["auxiliaryMode"]!.GetValue<string>()));
        Assert.Equal(["properties"], write.Body.AsObject().Select(p => p.Key));

        var stored = _app.Emulator.GetScaleSet(id)!;
        Assert.Equal("Standard_D4s_v5", stored["sku"]!["name"]!.GetValue<string>());
        var pool = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.True(pool!.EnabledByApp);
        Assert.True(pool.AcceleratedNetworkingAtCreation);
        Assert.Equal(3, pool.InstancesNotOnLatestModel);
    }

    [Fact]
    public async Task RunAsync_NewPoolWithNodes_CostsAGetOneInstanceListingAPatchAndOneSkuList()
    {
        var id = Fleet.Id("pool-count");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-count", "Standard_D4s_v5", Now.AddMinutes(-1)));

        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-count"), CancellationToken.None);

        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.ListInstances));
        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.PatchScaleSet));
        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.ListSkus));
        // The write's operation: InProgress at once, Succeeded on the next poll (the app waits for it, briefly).
        Assert.Equal(2, _app.Emulator.Count(ArmCallKind.PollOperation));
        Assert.Equal(6, _app.Emulator.TotalCalls);
    }

    [Fact]
    public async Task RunAsync_NewPoolWithoutInstances_ListsNoInstances()
    {
        var id = Fleet.Id("pool-empty");
        var scaleSet = Fleet.ScaleSet("pool-empty", "Standard_D4s_v5", Now.AddMinutes(-1));
        scaleSet["sku"]!["capacity"] = 0;
        _app.Emulator.PutScaleSet(scaleSet);

        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-empty"), CancellationToken.None);

        Assert.Equal(0, _app.Emulator.Count(ArmCallKind.ListInstances));
        Assert.Equal(1, _app.Emulator.Count(ArmCallKind.PatchScaleSet));
        Assert.Equal(2, _app.Emulator.Count(ArmCallKind.PollOperation));
        Assert.Equal(5, _app.Emulator.TotalCalls);
    }

    [Fact]
    public async Task RunAsync_DuplicateDelivery_CostsNoArmCall()
    {
        var id = Fleet.Id("pool-dup");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-dup", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var function = _app.Create<ScaleSetEventsFunction>();
        await function.RunAsync(Fleet.WriteEvent(id, "e-dup"), CancellationToken.None);
        _app.Emulator.ResetCounts();

        await function.RunAsync(Fleet.WriteEvent(id, "e-dup"), CancellationToken.None);

        Assert.Equal(0, _app.Emulator.TotalCalls);
        Assert.Single(_app.Emulator.Writes);
    }

    [Fact]
    public async Task RunAsync_OurOwnWriteEvent_IsAnExistingPoolAndWritesNothing()
    {
        var id = Fleet.Id("pool-echo");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-echo", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var function = _app.Create<ScaleSetEventsFunction>();
        await function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);

        await function.RunAsync(Fleet.WriteEvent(id, "our-patch"), CancellationToken.None);

        Assert.Single(_app.Emulator.Writes);
    }

    [Fact]
    public async Task RunAsync_ExistingPoolWithoutAn_IsNeverChanged()
    {
        var id = Fleet.Id("pool-old");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-old", "Standard_D4s_v5", Now.AddDays(-20), an: false));

        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-old"), CancellationToken.None);

        Assert.Empty(_app.Emulator.Writes);
        var pool = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.NotNull(pool);
        Assert.Null(pool.AcceleratedNetworkingAtCreation);
        Assert.False(pool.EnabledByApp);
    }

    [Fact]
    public async Task RunAsync_ConcurrentWriterBetweenReadAndPatch_ReReadsAndWritesOnce()
    {
        var id = Fleet.Id("pool-race");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-race", "Standard_D4s_v5", Now.AddMinutes(-1)));
        // Someone else changes the scale set after our GET: our If-Match is stale, ARM answers 412.
        _app.Emulator.FailNext(ArmCallKind.PatchScaleSet, 412, "PreconditionFailed");

        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-race"), CancellationToken.None);

        Assert.Equal(2, _app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(2, _app.Emulator.Count(ArmCallKind.PatchScaleSet));
        Assert.Single(_app.Emulator.Writes, w => w.Status == 200);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(409)]
    public async Task RunAsync_TransientArmFailure_FailsTheInvocationAndRecordsOnlyTheRefusedIntent(int status)
    {
        var id = Fleet.Id("pool-transient");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-transient", "Standard_D4s_v5", Now.AddMinutes(-1)));
        _app.Emulator.FailNext(ArmCallKind.PatchScaleSet, status, "Transient", retryAfter: TimeSpan.FromSeconds(1));
        var function = _app.Create<ScaleSetEventsFunction>();

        var error = await Assert.ThrowsAsync<DeliveryRetryException>(() => function.RunAsync(Fleet.WriteEvent(id, "e-transient"), CancellationToken.None));

        Assert.Equal("e-transient", Assert.Single(error.Retries).EventId);
        Assert.Null(await _app.Get<IStateStore>().GetProcessedEventAsync(ScaleSetId.Parse(id), "e-transient", CancellationToken.None));
        // The write was recorded as intended before it was sent, then as refused: the pool is not a known pool.
        var record = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(PendingWriteState.Failed, record.PendingWrite!.State);
        Assert.Null(record.PendingWrite.AcceptedAt);
        Assert.False(record.EnabledByApp);

        // Event Grid redelivers: the pool is still new and gets AN.
        await function.RunAsync(Fleet.WriteEvent(id, "e-transient"), CancellationToken.None);
        Assert.Single(_app.Emulator.Writes, w => w.Status == 200);
        var enabled = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.Null(enabled!.PendingWrite);
        Assert.True(enabled.EnabledByApp);
    }

    [Fact]
    public async Task RunAsync_TerminalArmFailure_IsRejectedAndAcknowledged()
    {
        var id = Fleet.Id("pool-403");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-403", "Standard_D4s_v5", Now.AddMinutes(-1)));
        _app.Emulator.FailNext(ArmCallKind.GetScaleSet, 403, "AuthorizationFailed");

        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-403"), CancellationToken.None);

        var rejected = new List<RejectedEvent>();
        await foreach (var r in _app.Get<IStateStore>().ListRejectedEventsAsync(CancellationToken.None))
        {
            rejected.Add(r);
        }

        Assert.Contains(rejected, r => r.EventId == "e-403" && r.Reason.Contains("403", StringComparison.Ordinal));
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task RunAsync_MalformedAndForeignEvents_AreKeptOrIgnoredWithoutFailingTheBatch()
    {
        var id = Fleet.Id("pool-batch");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-batch", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var notAScaleSet = Fleet.WriteEvent("/subscriptions/" + AppUnderTest.Subscription + "/resourceGroups/k8s-test/providers/Microsoft.Network/networkInterfaces/nic", "e-nic");
        var instanceWrite = Fleet.WriteEvent(id + "/virtualMachines/0", "e-vm", operation: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/write");
        var payload = $"[{notAScaleSet}, 17, {instanceWrite}, {Fleet.WriteEvent(id, "e-good")}]";

        await _app.Create<ScaleSetEventsFunction>().RunAsync(payload, CancellationToken.None);

        Assert.Single(_app.Emulator.Writes);
        var rejected = new List<string>();
        await foreach (var r in _app.Get<IStateStore>().ListRejectedEventsAsync(CancellationToken.None))
        {
            rejected.Add(r.EventId);
        }

        Assert.Contains("e-nic", rejected);
        Assert.Contains("(no id)", rejected);
        Assert.DoesNotContain("e-vm", rejected);
    }

    [Fact]
    public async Task RunAsync_DeletedBeforeTheEventArrives_IsAcknowledgedWithoutWrite()
    {
        var id = Fleet.Id("pool-gone");

        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-gone"), CancellationToken.None);

        Assert.Empty(_app.Emulator.Writes);
        Assert.NotNull(await _app.Get<IStateStore>().GetProcessedEventAsync(ScaleSetId.Parse(id), "e-gone", CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_DeleteEvent_ClosesThePoolRecord()
    {
        var id = Fleet.Id("pool-del");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-del", "Standard_D4s_v5", Now.AddDays(-3)));
        var function = _app.Create<ScaleSetEventsFunction>();
        await function.RunAsync(Fleet.WriteEvent(id, "e-seen"), CancellationToken.None);
        _app.Emulator.DeleteScaleSet(id);

        await function.RunAsync(Fleet.WriteEvent(id, "e-del", type: "Microsoft.Resources.ResourceDeleteSuccess", operation: "Microsoft.Compute/virtualMachineScaleSets/delete"), CancellationToken.None);

        var pool = await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.Equal(PoolStatus.Deleted, pool!.Status);
    }

    [Fact]
    public async Task RunAsync_PoolRecreatedUnderTheSameName_IsANewPoolAgain()
    {
        var id = Fleet.Id("pool-reuse");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-reuse", "Standard_B2s", Now.AddDays(-3)));
        var function = _app.Create<ScaleSetEventsFunction>();
        await function.RunAsync(Fleet.WriteEvent(id, "first-life"), CancellationToken.None);
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-reuse", "Standard_D4s_v5", Now.AddMinutes(-1)));

        await function.RunAsync(Fleet.WriteEvent(id, "second-life"), CancellationToken.None);

        Assert.Single(_app.Emulator.Writes);
    }

    [Fact]
    public async Task RunAsync_OutOfScopeSubscription_IsNotEvenRead()
    {
        await using var app = AppUnderTest.Create(new Dictionary<string, string?> { ["AcceleratedNetworking:Subscriptions"] = "ffffffff-ffff-4fff-8fff-ffffffffffff" }, Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-scope");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-scope", "Standard_D4s_v5", Now.AddMinutes(-1)));

        await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-scope"), CancellationToken.None);

        Assert.Equal(0, app.Emulator.TotalCalls);
        var decision = Assert.Single(await app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(id), 10, CancellationToken.None));
        Assert.Equal(Core.Decisions.DecisionReason.OutOfScope, decision.Reason);
    }

    [Fact]
    public async Task RunAsync_DryRunSetting_RecordsThePlannedPatchAndWritesNothing()
    {
        await using var app = AppUnderTest.Create(new Dictionary<string, string?> { ["AcceleratedNetworking:DryRun"] = "true" }, Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-dry");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-dry", "Standard_D4s_v5", Now.AddMinutes(-1)));

        await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-dry"), CancellationToken.None);

        Assert.Empty(app.Emulator.Writes);
        var decision = Assert.Single(await app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(id), 10, CancellationToken.None));
        Assert.Equal(Core.Decisions.DecisionOutcome.WouldEnableAcceleratedNetworking, decision.Outcome);
        var planned = JsonNode.Parse(decision.WriteBody!)!;
        Assert.True(planned["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>());
    }
}
