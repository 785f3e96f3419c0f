using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Events;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Reliability;

/// <summary>
/// ARM accepts the app's PATCH, then the write's long-running operation runs, fails, or outlives the delivery. The
/// app follows its own write: it waits briefly for the outcome, writes again after a transient failure while the pool
/// is new, and tells on-call at once about a failure that stands, rather than leaving it to the next audit.
/// </summary>
public sealed class FailedOperationAfterAcceptTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now, settings: new Dictionary<string, string?> { ["Alerts:Webhook:Url"] = "https://alerts.example/hook" });
    private readonly string _id = Fleet.Id("pool-lro");

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-lro", "Standard_D4s_v5", Now.AddMinutes(-1)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task DeliverAsync(string eventId = "create") => _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(_id, eventId), CancellationToken.None);

    private async Task<PoolRecord?> PoolAsync() => await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(_id), CancellationToken.None);

    private async Task<IReadOnlyList<Finding>> FindingsAsync() => await _app.Get<IFindingStore>().ListForPoolAsync(ScaleSetId.Parse(_id), CancellationToken.None);

    private bool ModelHasAn() =>
        _app.Emulator.GetScaleSet(_id)!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>();

    private string? ProvisioningState() => _app.Emulator.GetScaleSet(_id)!["properties"]!["provisioningState"]!.GetValue<string>();

    [Fact]
    public async Task PatchAccepted_OperationSucceeds_ConfirmedWithinTheDeliveryAndRecordedAsEnabledByTheApp()
    {
        await DeliverAsync();

        var pool = await PoolAsync();
        Assert.True(pool!.EnabledByApp);
        Assert.Null(pool.PendingWrite);
        Assert.Equal("Succeeded", ProvisioningState());
        Assert.Equal(2, _app.Emulator.Count(ArmCallKind.PollOperation));
        // The app waited one poll interval (2 s) for the operation, on the clock.
        Assert.Equal(Now.AddSeconds(2), _app.Time.GetUtcNow());
        // The running nodes keep their NICs (Manual policy): the mixed pool is said, no failure.
        Assert.Equal([FindingKind.NodesWithoutAcceleratedNetworking], (await FindingsAsync()).Select(f => f.Kind));
    }

    [Fact]
    public async Task PatchAccepted_OperationFailsTransiently_WrittenAgainAtOnceAndEnabled()
    {
        _app.Emulator.FailNextOperation(_id, "InternalExecutionError", "An internal execution error occurred. Please retry later.");

        await DeliverAsync();

        Assert.Equal([200, 200], _app.Emulator.Writes.Select(w => w.Status));
        Assert.True(ModelHasAn());
        var pool = await PoolAsync();
        Assert.True(pool!.EnabledByApp);
        Assert.Null(pool.PendingWrite);
        Assert.DoesNotContain(await FindingsAsync(), f => f.Kind == FindingKind.AcceleratedNetworkingWriteFailed);
        Assert.NotNull(await _app.Get<IStateStore>().GetProcessedEventAsync(ScaleSetId.Parse(_id), "create", CancellationToken.None));
    }

    [Fact]
    public async Task PatchAccepted_OperationFailsForGood_WarningFindingWithArmsErrorAndAnAlertAtOnce()
    {
        _app.Emulator.FailNextOperation(_id, "LinkedAuthorizationFailed", "The client has permission to perform action 'Microsoft.Compute/virtualMachineScaleSets/write' on scope, however it does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s).");

        await DeliverAsync();

        Assert.Single(_app.Emulator.Writes);
        Assert.False(ModelHasAn());
        Assert.Equal("Failed", ProvisioningState());
        var finding = Assert.Single(await FindingsAsync());
        Assert.Equal(FindingKind.AcceleratedNetworkingWriteFailed, finding.Kind);
        Assert.Equal(FindingSeverity.Warning, finding.Severity);
        Assert.Equal(FindingStatus.Open, finding.Status);
        Assert.Equal("LinkedAuthorizationFailed", finding.Evidence.ErrorCode);
        Assert.Contains("ARM accepted the write, then its operation failed", finding.Message, StringComparison.Ordinal);
        Assert.Equal(1, finding.Evidence.WriteAttempt);
        Assert.Single(await _app.Get<IFindingStore>().ListOutboxAsync(finding.Id, CancellationToken.None));
        var pool = await PoolAsync();
        Assert.False(pool!.EnabledByApp);
        Assert.False(pool.AcceleratedNetworkingAtCreation);
        Assert.Null(pool.PendingWrite);
        // The failure is handled (a finding), not redelivered.
        Assert.NotNull(await _app.Get<IStateStore>().GetProcessedEventAsync(ScaleSetId.Parse(_id), "create", CancellationToken.None));
        var decision = (await _app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(_id), 10, CancellationToken.None))[0];
        Assert.Equal(DecisionReason.WriteFailed, decision.Reason);
    }

    [Fact]
    public async Task PatchAccepted_TransientFailureEveryTime_GivesUpAfterThreeWritesWithAFinding()
    {
        _app.Emulator.AddFault(new FaultRule
        {
            Kind = ArmCallKind.PatchScaleSet,
            When = _ =>
            {
                // Arm a failure for the operation of every PATCH that gets through.
                _app.Emulator.FailNextOperation(_id, "InternalExecutionError", "retry later");
                return false;
            },
        });

        await DeliverAsync();

        Assert.Equal(3, _app.Emulator.Writes.Count(w => w.Status == 200));
        var finding = Assert.Single(await FindingsAsync());
        Assert.Equal(FindingKind.AcceleratedNetworkingWriteFailed, finding.Kind);
        Assert.Equal(3, finding.Evidence.WriteAttempt);
        Assert.Equal("InternalExecutionError", finding.Evidence.ErrorCode);
        Assert.False(ModelHasAn());
    }

    [Fact]
    public async Task PatchAccepted_OperationOutlivesTheWait_RecordedAcceptedThenTheAuditConcludesIt()
    {
        // ARM's operation takes 10 minutes, far beyond Arm:OperationWait (8 s).
        _app.Emulator.OperationPollsInProgress = int.MaxValue;
        _app.Emulator.OperationDuration = TimeSpan.FromMinutes(10);

        await DeliverAsync();

        var pending = (await PoolAsync())!.PendingWrite;
        Assert.Equal(PendingWriteState.Accepted, pending!.State);
        Assert.NotNull(pending.OperationUrl);
        Assert.True(_app.Time.GetUtcNow() - Now <= TimeSpan.FromSeconds(8));
        Assert.NotNull(await _app.Get<IStateStore>().GetProcessedEventAsync(ScaleSetId.Parse(_id), "create", CancellationToken.None));

        _app.Time.Advance(TimeSpan.FromMinutes(30));
        var run = await _app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

        Assert.Empty(run.Errors);
        var pool = await PoolAsync();
        Assert.Null(pool!.PendingWrite);
        Assert.True(pool.EnabledByApp);
        Assert.Single(_app.Emulator.Writes);
        Assert.DoesNotContain(await FindingsAsync(), f => f.Kind == FindingKind.AcceleratedNetworkingWriteFailed);
    }

    [Fact]
    public async Task PatchAccepted_OperationOutlivesTheWaitThenFails_TheNextEventConcludesItWithAFinding()
    {
        _app.Emulator.OperationPollsInProgress = int.MaxValue;
        _app.Emulator.OperationDuration = TimeSpan.FromMinutes(45);
        _app.Emulator.FailNextOperation(_id, "VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", "VM size Standard_D4s_v5 is not permitted to enable Accelerated Networking.");
        await DeliverAsync();

        // The write's own event comes back from Event Grid once the operation has ended.
        _app.Time.Advance(TimeSpan.FromHours(1));
        await DeliverAsync("write-of-the-app");

        var finding = Assert.Single(await FindingsAsync(), f => f.Kind == FindingKind.AcceleratedNetworkingWriteFailed);
        Assert.Equal("VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", finding.Evidence.ErrorCode);
        Assert.Single(_app.Emulator.Writes);
        Assert.Null((await PoolAsync())!.PendingWrite);
    }

    [Fact]
    public async Task WriteFailedFinding_SomeoneEnablesAnLater_TheAuditResolvesIt()
    {
        _app.Emulator.FailNextOperation(_id, "LinkedAuthorizationFailed", "no join permission");
        await DeliverAsync();
        _app.Emulator.ModifyScaleSet(_id, s => s["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = true);
        _app.Time.Advance(TimeSpan.FromHours(1));

        await _app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

        var finding = Assert.Single(await FindingsAsync(), f => f.Kind == FindingKind.AcceleratedNetworkingWriteFailed);
        Assert.Equal(FindingStatus.Resolved, finding.Status);
    }

    [Fact]
    public async Task PatchRefusedForGood_EventRejectedAsBeforeAndTheFailureIsAFinding()
    {
        _app.Emulator.FailNext(ArmCallKind.PatchScaleSet, 403, "LinkedAuthorizationFailed");

        await DeliverAsync();

        var finding = Assert.Single(await FindingsAsync());
        Assert.Equal(FindingKind.AcceleratedNetworkingWriteFailed, finding.Kind);
        Assert.Contains("ARM refused the write", finding.Message, StringComparison.Ordinal);
        Assert.Null((await PoolAsync())!.PendingWrite);
        var rejected = new List<RejectedEvent>();
        await foreach (var r in _app.Get<IStateStore>().ListRejectedEventsAsync(CancellationToken.None))
        {
            rejected.Add(r);
        }

        Assert.Contains("403", Assert.Single(rejected).Reason, StringComparison.Ordinal);
    }
}
