using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Events;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace AnFunctions.Core.Tests.Events;

/// <summary>
/// <see cref="ScaleSetEventHandler"/> on the real reconciler and refused-write handler over in-memory stores: what
/// each event becomes (handled, recorded, ignored, duplicate, rejected, retry later), what it writes and what it costs.
/// </summary>
public sealed class ScaleSetEventHandlerTests
{
    private const string NetworkWrite = "Microsoft.Network/virtualNetworks/write";
    private const string Vnet = "/subscriptions/3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";

    public static TheoryData<string, ResourceEventKind, string?, string, string> NotActedOn() => new()
    {
        { "another event type", ResourceEventKind.Other, ScaleSetEventHandler.WriteOperation, TestData.Id().Value, "event type Microsoft.Resources.ResourceActionSuccess is not handled" },
        { "a write event for a delete", ResourceEventKind.WriteSuccess, ScaleSetEventHandler.DeleteOperation, TestData.Id().Value, $"operation is not {ScaleSetEventHandler.WriteOperation}" },
        { "a delete event for a write", ResourceEventKind.DeleteSuccess, ScaleSetEventHandler.WriteOperation, TestData.Id().Value, $"operation is not {ScaleSetEventHandler.DeleteOperation}" },
        { "a refused write of another resource type", ResourceEventKind.WriteFailure, NetworkWrite, Vnet, $"operation is not {ScaleSetEventHandler.WriteOperation}" },
        { "no operation name, not a scale set", ResourceEventKind.WriteSuccess, null, Vnet, "no operation name and the resource is not a scale set" },
    };

    [Theory]
    [MemberData(nameof(NotActedOn))]
    public async Task HandleAsync_EventNotActedOn_IgnoredWithoutArmCallOrWrite(string name, ResourceEventKind kind, string? operation, string resource, string reason)
    {
        _ = name;
        var app = new EventHarness();

        var outcome = await app.HandleAsync(EventHarness.Event(kind, resourceUri: resource, operation: operation));

        Assert.Equal(EventDisposition.Ignored, outcome.Disposition);
        Assert.Equal(reason, outcome.Detail);
        Assert.Null(outcome.ResourceId);
        Assert.Empty(app.Arm.ReceivedCalls());
        Assert.Equal(0, outcome.TableCalls);
        var log = Assert.Single(app.Log.Collector.GetSnapshot(), r => r.Id.Name == "EventIgnored");
        Assert.Equal(reason, log.GetStructuredStateValue("Reason"));
    }

    public static TheoryData<ResourceEventKind, string?, EventDisposition> ActedOn() => new()
    {
        { ResourceEventKind.WriteSuccess, ScaleSetEventHandler.WriteOperation.ToUpperInvariant(), EventDisposition.Handled },
        { ResourceEventKind.WriteSuccess, null, EventDisposition.Handled },
        { ResourceEventKind.WriteFailure, ScaleSetEventHandler.WriteOperation, EventDisposition.Recorded },
        { ResourceEventKind.WriteCancel, ScaleSetEventHandler.WriteOperation.ToLowerInvariant(), EventDisposition.Recorded },
        { ResourceEventKind.DeleteSuccess, ScaleSetEventHandler.DeleteOperation.ToUpperInvariant(), EventDisposition.Recorded },
        { ResourceEventKind.DeleteSuccess, null, EventDisposition.Recorded },
    };

    [Theory]
    [MemberData(nameof(ActedOn))]
    public async Task HandleAsync_ScaleSetOperationInAnyCaseOrNone_ActedOnAndMarked(ResourceEventKind kind, string? operation, EventDisposition expected)
    {
        var app = new EventHarness();

        var outcome = await app.HandleAsync(EventHarness.Event(kind, operation: operation));

        Assert.Equal(expected, outcome.Disposition);
        Assert.Equal(app.Id.Value, outcome.ResourceId);
        var processed = await app.Memory.GetProcessedEventAsync(app.Id, "evt-1", CancellationToken.None);
        Assert.NotNull(processed);
        Assert.Equal(expected.ToString(), processed.Outcome);
        Assert.Equal(TestData.Now, processed.ProcessedAt);
        Assert.Equal(app.Id.Value, processed.Subject);
    }

    [Fact]
    public async Task HandleAsync_ScaleSetOperationOnAnotherResource_RejectedKeptAndMarked()
    {
        var app = new EventHarness();
        var resource = Vnet + "/virtualMachineScaleSets/x";

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteSuccess, resourceUri: resource));

        Assert.Equal(EventDisposition.Rejected, outcome.Disposition);
        Assert.StartsWith("resource id does not parse as a scale set id: ", outcome.Detail, StringComparison.Ordinal);
        Assert.True(outcome.Detail.Length > "resource id does not parse as a scale set id: ".Length);
        Assert.Null(outcome.ResourceId);
        Assert.Empty(app.Arm.ReceivedCalls());
        var rejected = Assert.Single(await app.RejectedAsync());
        Assert.Equal("evt-1", rejected.EventId);
        Assert.Equal(outcome.Detail, rejected.Reason);
        Assert.Equal(TestData.Now, rejected.RejectedAt);
        Assert.Equal($"type=Microsoft.Resources.ResourceWriteSuccess; operation={ScaleSetEventHandler.WriteOperation}; resource={resource}; correlationId=corr-1", rejected.Excerpt);
        Assert.Equal(1, app.State.Calls(nameof(IStateStore.MarkEventProcessedAsync)));
    }

    [Theory]
    [InlineData(512, false)]
    [InlineData(513, true)]
    public async Task HandleAsync_RejectedLongResource_ExcerptCutAfter512Characters(int length, bool cut)
    {
        var app = new EventHarness();
        var resource = Vnet + "/" + new string('x', length - Vnet.Length - 1);

        await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteSuccess, resourceUri: resource));

        var excerpt = Assert.Single(await app.RejectedAsync()).Excerpt;
        var expected = cut ? resource[..512] + "…" : resource;
        Assert.Contains($"; resource={expected}; correlationId=", excerpt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_WriteSuccess_HandledWithTheDecisionMarkedWithTheRecordAndMetered()
    {
        var app = new EventHarness();

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteSuccess));

        Assert.Equal(EventDisposition.Handled, outcome.Disposition);
        Assert.StartsWith("NoChange (AlreadyEnabled): ", outcome.Detail, StringComparison.Ordinal);
        Assert.True(outcome.Detail.Length > "NoChange (AlreadyEnabled): ".Length);
        Assert.Equal(app.Id.Value, outcome.ResourceId);
        Assert.Equal(0, app.State.Calls(nameof(IStateStore.MarkEventProcessedAsync)));
        Assert.Equal("Handled", (await app.Memory.GetProcessedEventAsync(app.Id, "evt-1", CancellationToken.None))?.Outcome);
        Assert.Equal(app.Arm.ReceivedCalls().Count(c => c.GetMethodInfo().Name == nameof(IScaleSetClient.GetAsync)), outcome.ArmCalls);
        Assert.True(outcome.ArmCalls > 0);
        Assert.True(outcome.TableCalls > 1);
        var log = Assert.Single(app.Log.Collector.GetSnapshot(), r => r.Id.Name == "EventCompleted");
        Assert.Equal(outcome.TableCalls.ToString(System.Globalization.CultureInfo.InvariantCulture), log.GetStructuredStateValue("TableCalls"));
    }

    [Theory]
    [InlineData(ResourceEventKind.WriteSuccess, "Handled")]
    [InlineData(ResourceEventKind.WriteFailure, "Recorded")]
    [InlineData(ResourceEventKind.DeleteSuccess, "Recorded")]
    public async Task HandleAsync_SameEventAgain_DuplicateWithoutArmCall(ResourceEventKind kind, string first)
    {
        var app = new EventHarness();
        await app.HandleAsync(EventHarness.Event(kind));
        app.Arm.ClearReceivedCalls();

        var outcome = await app.HandleAsync(EventHarness.Event(kind));

        Assert.Equal(EventDisposition.Duplicate, outcome.Disposition);
        Assert.Equal($"already processed ({first})", outcome.Detail);
        Assert.Equal(app.Id.Value, outcome.ResourceId);
        Assert.Empty(app.Arm.ReceivedCalls());
        Assert.Equal(0, outcome.ArmCalls);
        Assert.Equal(1, outcome.TableCalls);
    }

    [Fact]
    public async Task HandleAsync_ReconcileSaysRetry_RetryLaterAndNotMarked()
    {
        var app = new EventHarness(TestData.ScaleSet(an: false, provisioningState: "Updating"));

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteSuccess));

        Assert.Equal(EventDisposition.RetryLater, outcome.Disposition);
        Assert.StartsWith("Retry (ProvisioningInProgress): ", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(app.Id.Value, outcome.ResourceId);
        Assert.Null(await app.Memory.GetProcessedEventAsync(app.Id, "evt-1", CancellationToken.None));
        Assert.Equal(0, app.State.Calls(nameof(IStateStore.MarkEventProcessedAsync)));
    }

    [Fact]
    public async Task HandleAsync_DeleteOfKnownActivePool_ClosesRecordAndResolvesFindings()
    {
        var app = new EventHarness();
        await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteSuccess, id: "evt-0"));
        await app.Engine.ApplyAsync(app.Id, new FindingEvaluation(
            [new FindingDraft(FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingSeverity.Warning, "m", "c", "r", new FindingEvidence())], PoolFindingRules.ObservedKinds), CancellationToken.None);
        app.Time.Advance(TimeSpan.FromHours(2));

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.DeleteSuccess));

        Assert.Equal(EventDisposition.Recorded, outcome.Disposition);
        Assert.Equal("pool deleted: record closed, 1 finding(s) resolved", outcome.Detail);
        var record = await app.Memory.GetPoolAsync(app.Id, CancellationToken.None);
        Assert.NotNull(record);
        Assert.Equal(PoolStatus.Deleted, record.Status);
        Assert.Equal(TestData.Now.AddHours(2), record.DeletedAt);
        Assert.Equal(TestData.Now.AddHours(2), record.LastSeen);
        Assert.Empty(await app.Engine.OpenFindingsAsync(app.Id, CancellationToken.None));
        Assert.Single(app.Log.Collector.GetSnapshot(), r => r.Id.Name == "PoolClosed");
    }

    [Fact]
    public async Task HandleAsync_DeleteOfPoolAlreadyClosed_LeavesRecordAsItWas()
    {
        var app = new EventHarness();
        await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteSuccess, id: "evt-0"));
        await app.HandleAsync(EventHarness.Event(ResourceEventKind.DeleteSuccess, id: "evt-1"));
        app.Time.Advance(TimeSpan.FromHours(2));
        var saves = app.State.Calls(nameof(IStateStore.SavePoolAsync));

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.DeleteSuccess, id: "evt-2"));

        Assert.Equal("pool deleted: record closed, 0 finding(s) resolved", outcome.Detail);
        Assert.Equal(saves, app.State.Calls(nameof(IStateStore.SavePoolAsync)));
        Assert.Equal(TestData.Now, (await app.Memory.GetPoolAsync(app.Id, CancellationToken.None))?.DeletedAt);
    }

    [Fact]
    public async Task HandleAsync_DeleteOfUnknownPool_RecordedWithoutRecord()
    {
        var app = new EventHarness();

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.DeleteSuccess));

        Assert.Equal(EventDisposition.Recorded, outcome.Disposition);
        Assert.Equal("pool deleted: record closed, 0 finding(s) resolved", outcome.Detail);
        Assert.Equal(0, app.State.Calls(nameof(IStateStore.SavePoolAsync)));
        Assert.Null(await app.Memory.GetPoolAsync(app.Id, CancellationToken.None));
        Assert.Empty(app.Arm.ReceivedCalls());
    }

    [Theory]
    [InlineData(ResourceEventKind.WriteFailure, "refused")]
    [InlineData(ResourceEventKind.WriteCancel, "cancelled")]
    public async Task HandleAsync_RefusedOrCancelledWrite_RecordedWithItsVerbAndFinding(ResourceEventKind kind, string verb)
    {
        var app = new EventHarness();

        var outcome = await app.HandleAsync(EventHarness.Event(kind));

        Assert.Equal(EventDisposition.Recorded, outcome.Disposition);
        Assert.Equal($"{verb} write: finding raised; the Activity Log has nothing yet for correlation id corr-1", outcome.Detail);
        var finding = Assert.Single(await app.Engine.OpenFindingsAsync(app.Id, CancellationToken.None));
        Assert.Equal(FindingKind.SizeChangeRefused, finding.Kind);
        await app.ActivityLog.Received(1).FindFailedWriteAsync(TestData.Subscription, "corr-1", TestData.Now, Arg.Any<CancellationToken>());
        Assert.Single(app.Log.Collector.GetSnapshot(), r => r.Id.Name == "EventRecorded");
    }

    public static TheoryData<string, Exception, EventDisposition> Failures() => new()
    {
        { "ARM unavailable", new ArmRequestException(503, "ServiceUnavailable", "try later"), EventDisposition.RetryLater },
        { "ARM throttles", new ArmRequestException(429, "TooManyRequests", "slow down"), EventDisposition.RetryLater },
        { "no connection", new ArmRequestException(0, null, "connection reset"), EventDisposition.RetryLater },
        { "lost an ETag race", new ArmRequestException(412, "PreconditionFailed", "changed"), EventDisposition.RetryLater },
        { "state store down", new StateStoreUnavailableException("tables unreachable"), EventDisposition.RetryLater },
        { "record changed meanwhile", new ConcurrencyConflictException("record changed"), EventDisposition.RetryLater },
        { "no access", new ArmRequestException(403, "AuthorizationFailed", "no access"), EventDisposition.Rejected },
        { "a bad request", new ArmRequestException(400, "InvalidParameter", "bad"), EventDisposition.Rejected },
        { "a failed operation", new ArmRequestException(500, "InternalError", "operation failed") { IsOperationFailure = true }, EventDisposition.Rejected },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task HandleAsync_PortFails_TransientRetriedTerminalRejected(string name, Exception failure, EventDisposition expected)
    {
        _ = name;
        var app = new EventHarness();
        app.Arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).ThrowsAsync(failure);

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteFailure));

        Assert.Equal(expected, outcome.Disposition);
        Assert.Equal(app.Id.Value, outcome.ResourceId);
        var processed = await app.Memory.GetProcessedEventAsync(app.Id, "evt-1", CancellationToken.None);
        var rejected = await app.RejectedAsync();
        if (expected == EventDisposition.RetryLater)
        {
            Assert.Equal(failure.Message, outcome.Detail);
            Assert.Null(processed);
            Assert.Empty(rejected);
            Assert.Single(app.Log.Collector.GetSnapshot(), r => r.Id.Name == "EventTransientFailure");
            return;
        }

        var arm = (ArmRequestException)failure;
        Assert.Equal($"ARM refused a call with HTTP {arm.Status} {arm.ErrorCode}: {arm.Message}", outcome.Detail);
        Assert.Equal("Rejected", processed?.Outcome);
        Assert.Equal(outcome.Detail, Assert.Single(rejected).Reason);
    }

    [Theory]
    [InlineData("state store down")]
    [InlineData("record changed meanwhile")]
    public async Task HandleAsync_StoreFailsOnTheDuplicateCheck_RetryLaterWithoutArmCall(string name)
    {
        var app = new EventHarness();
        app.State.Fail = name == "state store down" ? new StateStoreUnavailableException("tables unreachable") : new ConcurrencyConflictException("record changed");

        var outcome = await app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteSuccess));

        Assert.Equal(EventDisposition.RetryLater, outcome.Disposition);
        Assert.Equal(app.State.Fail.Message, outcome.Detail);
        Assert.Empty(app.Arm.ReceivedCalls());
    }

    [Fact]
    public async Task HandleAsync_UnexpectedException_Propagates()
    {
        var app = new EventHarness();
        app.Arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).ThrowsAsync(new InvalidOperationException("bug"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.HandleAsync(EventHarness.Event(ResourceEventKind.WriteFailure)));
    }
}
