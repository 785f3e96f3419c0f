using AnFunctions.Core.Arm;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using NSubstitute;

namespace AnFunctions.Core.Tests.Audit;

/// <summary>
/// The fleet audit's scope (which subscriptions, which resource group), the run record it keeps, and how a failing
/// subscription, listing, store or subscription source shows in it.
/// </summary>
public sealed class FleetAuditScopeTests
{
    private const string Sub = TestData.Subscription;
    private const string Other = TestData.OtherSubscription;
    private const string Third = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
    private readonly AuditHarness _h = new();

    [Fact]
    public async Task RunAsync_SubscriptionsFromTheSource_LowerCasedDeduplicatedAndAuditedInOrder()
    {
        _h.ListOld("a", subscription: Other);
        _h.ListOld("b", subscription: Sub);
        _h.Visible.Clear();
        _h.Visible.AddRange([Other.ToUpperInvariant(), Sub, Other]);

        var run = await _h.RunAsync();

        Assert.Equal([new SubscriptionAudit(Sub, 1, null), new SubscriptionAudit(Other, 1, null)], run.Subscriptions);
        Assert.Equal(2, run.PoolsSeen);
        Assert.Equal(2, run.ArmCalls["ListScaleSets"]);
        _h.Arm.Received(1).ListAsync(Sub, Arg.Any<CancellationToken>());
        _h.Arm.Received(1).ListAsync(Other, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunAsync_ConfiguredSubscriptions_OnlyThoseInOrderAndTheSourceNotAsked()
    {
        _h.Settings.Subscriptions = $"{Other},{Sub}";
        _h.ListOld("a", subscription: Sub);
        _h.ListOld("b", subscription: Other);
        _h.ListOld("c", subscription: Third);

        var run = await _h.RunAsync();

        Assert.Equal([Sub, Other], run.Subscriptions.Select(s => s.SubscriptionId));
        Assert.Equal(2, run.PoolsSeen);
        _h.Subscriptions.DidNotReceiveWithAnyArgs().ListAsync(default);
    }

    [Fact]
    public async Task RunAsync_OneSubscriptionRequested_OnlyItAuditedAndTheFilterRecordedLowerCase()
    {
        _h.ListOld("a", subscription: Sub);
        _h.ListOld("b", subscription: Other);

        var run = await _h.RunAsync(new AuditRequest("http", SubscriptionId: Other.ToUpperInvariant()));

        Assert.Equal([new SubscriptionAudit(Other, 1, null)], run.Subscriptions);
        Assert.Equal((Other, "http"), (run.SubscriptionFilter, run.Trigger));
        Assert.Equal(1, run.PoolsSeen);
        _h.Subscriptions.DidNotReceiveWithAnyArgs().ListAsync(default);
    }

    [Fact]
    public async Task RunAsync_RequestedSubscriptionOutOfScope_NothingAuditedAndCompleted()
    {
        _h.Settings.Subscriptions = Sub;
        _h.ListOld("b", subscription: Other);

        var run = await _h.RunAsync(new AuditRequest("http", SubscriptionId: Other));

        Assert.Equal(AuditRunStatus.Completed, run.Status);
        Assert.Empty(run.Subscriptions);
        Assert.Equal(0, run.PoolsSeen);
        _h.Arm.DidNotReceiveWithAnyArgs().ListAsync(default!, default);
    }

    [Fact]
    public async Task RunAsync_ResourceGroupRequested_OtherGroupsNeitherSeenNorClosed()
    {
        var inGroup = _h.ListOld("a", resourceGroup: "rg-one");
        var otherGroup = _h.ListOld("b", resourceGroup: "rg-two");
        _h.Listed(Sub).Add(ScaleSetListItem.Unreadable(TestData.ScaleSet(name: "c", resourceGroup: "rg-two").Id.Value, "no sku"));
        var unreadableInGroup = TestData.ScaleSet(name: "d", resourceGroup: "rg-one").Id;
        _h.Listed(Sub).Add(ScaleSetListItem.Unreadable(unreadableInGroup.Value, "no sku"));
        var goneInGroup = await _h.RecordAsync(TestData.ScaleSet(name: "gone-one", resourceGroup: "RG-ONE", age: TimeSpan.FromDays(9)));
        var goneElsewhere = await _h.RecordAsync(TestData.ScaleSet(name: "gone-two", resourceGroup: "rg-two", age: TimeSpan.FromDays(9)));

        var run = await _h.RunAsync(new AuditRequest("cli", Sub, "RG-One"));

        Assert.Equal("RG-One", run.ResourceGroupFilter);
        Assert.Equal([new SubscriptionAudit(Sub, 2, null)], run.Subscriptions);
        Assert.Equal((2, 1, 1, 2), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged));
        Assert.Equal([$"{unreadableInGroup.Value}: could not be read: no sku"], run.Errors);
        Assert.NotNull(await _h.PoolAsync(inGroup.Id));
        Assert.Null(await _h.PoolAsync(otherGroup.Id));
        Assert.Equal(PoolStatus.Deleted, (await _h.PoolAsync(goneInGroup.Id))!.Status);
        Assert.Equal(PoolStatus.Active, (await _h.PoolAsync(goneElsewhere.Id))!.Status);
    }

    [Fact]
    public async Task RunAsync_UnreadableScaleSet_CountedNamedAsAnErrorAndItsRecordKept()
    {
        var readable = _h.ListOld("a");
        var unreadable = TestData.ScaleSet(name: "b", age: TimeSpan.FromDays(9));
        await _h.RecordAsync(unreadable);
        _h.Listed(Sub).Add(ScaleSetListItem.Unreadable(unreadable.Id.Value, "sku missing"));
        _h.Listed(Sub).Add(ScaleSetListItem.Unreadable("/subscriptions/x/garbage", "not a scale set id"));

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([new SubscriptionAudit(Sub, 3, null)], run.Subscriptions);
        Assert.Equal((3, 1, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed));
        Assert.Equal(
            [$"{unreadable.Id.Value}: could not be read: sku missing", "/subscriptions/x/garbage: could not be read: not a scale set id"],
            run.Errors.Order(StringComparer.Ordinal));
        Assert.Equal(PoolStatus.Active, (await _h.PoolAsync(unreadable.Id))!.Status);
        Assert.NotNull(await _h.PoolAsync(readable.Id));
    }

    [Fact]
    public async Task RunAsync_RecordOfAPoolNoLongerListed_ClosedAndItsFindingsResolved()
    {
        var gone = TestData.ScaleSet(name: "gone", an: false, age: TimeSpan.FromDays(9));
        _h.List(gone);
        _h.ListOld("kept");
        await _h.RunAsync();
        _h.Listings[Sub].RemoveAt(0);
        var closedBefore = await _h.RecordAsync(TestData.ScaleSet(name: "closed", age: TimeSpan.FromDays(9)), r => r with { Status = PoolStatus.Deleted });
        _h.Time.Advance(TimeSpan.FromHours(2));
        var later = TestData.Now.AddHours(2);

        var run = await _h.RunAsync();

        Assert.Equal((1, 0, 1, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged));
        Assert.Equal([Finding.IdFor(gone.Id, FindingKind.AcceleratedNetworkingAvailableButOff)], run.FindingsResolved);
        Assert.Equal(1, run.FindingsResolvedCount);
        var record = await _h.PoolAsync(gone.Id);
        Assert.Equal((PoolStatus.Deleted, (DateTimeOffset?)later, later), (record!.Status, record.DeletedAt, record.LastSeen));
        Assert.Equal(FindingStatus.Resolved, Assert.Single(await _h.FindingsAsync()).Status);
        Assert.Equal(closedBefore, await _h.PoolAsync(closedBefore.Id));
    }

    [Fact]
    public async Task RunAsync_DryRun_VanishedRecordNotClosed()
    {
        var gone = await _h.RecordAsync(TestData.ScaleSet(name: "gone", age: TimeSpan.FromDays(9)));
        _h.ListOld("kept");

        var run = await _h.RunAsync(new AuditRequest("test", DryRun: true));

        Assert.Equal(0, run.PoolsClosed);
        Assert.Equal(PoolStatus.Active, (await _h.PoolAsync(gone.Id))!.Status);
    }

    [Fact]
    public async Task RunAsync_VanishedRecordSavedMeanwhile_NotClosedNorCounted()
    {
        var gone = await _h.RecordAsync(TestData.ScaleSet(name: "gone", age: TimeSpan.FromDays(9)));
        _h.Visible.Add(Sub);
        var saves = 0;
        _h.State.BeforeNextBatch = async () =>
        {
            // The first batch is the (empty) one of the listed pools; the race is set before the closing batch.
            saves++;
            _h.State.BeforeNextBatch = async () => await _h.Memory.SavePoolAsync(gone with { LastSeen = TestData.Now }, CancellationToken.None);
            await Task.CompletedTask;
        };

        var run = await _h.RunAsync();

        Assert.Equal(1, saves);
        Assert.Equal((0, 0), (run.PoolsClosed, run.PoolsChanged));
        Assert.Equal(PoolStatus.Active, (await _h.PoolAsync(gone.Id))!.Status);
        Assert.Equal([0, 1], _h.State.PoolBatches);
    }

    [Fact]
    public async Task RunAsync_ListingFailsPartWay_WhatWasListedAuditedNothingClosedAndTheOthersGoOn()
    {
        var listed = _h.ListOld("listed");
        _h.ListOld("after-failure");
        var unlisted = await _h.RecordAsync(TestData.ScaleSet(name: "unlisted", age: TimeSpan.FromDays(9)));
        _h.ListingFailures[Sub] = (1, new ArmRequestException(503, "ServerBusy", "page 2 failed"));
        var other = _h.ListOld("other", subscription: Other);

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([new SubscriptionAudit(Sub, 1, "page 2 failed"), new SubscriptionAudit(Other, 1, null)], run.Subscriptions);
        Assert.Equal([$"{Sub}: page 2 failed"], run.Errors);
        Assert.Equal((2, 2, 0, 2), (run.PoolsSeen, run.PoolsRecorded, run.PoolsClosed, run.PoolsChanged));
        Assert.NotNull(await _h.PoolAsync(listed.Id));
        Assert.NotNull(await _h.PoolAsync(other.Id));
        Assert.Equal(PoolStatus.Active, (await _h.PoolAsync(unlisted.Id))!.Status);
    }

    [Fact]
    public async Task RunAsync_ListingFailsAndTheWritesOfWhatWasListedToo_BothErrorsReported()
    {
        _h.ListOld("listed");
        _h.ListingFailures[Sub] = (1, new ArmRequestException(503, "ServerBusy", "page 2 failed"));
        _h.State.BeforeNextBatch = () => throw new StateStoreUnavailableException("tables down");

        var run = await _h.RunAsync();

        Assert.Equal([$"{Sub}: page 2 failed", $"{Sub}: tables down"], run.Errors.Order(StringComparer.Ordinal));
        Assert.Equal([new SubscriptionAudit(Sub, 1, "page 2 failed")], run.Subscriptions);
    }

    [Fact]
    public async Task RunAsync_StoreDownForOneSubscription_ThatSubscriptionFailsAndNothingOfItIsDecided()
    {
        _h.ListOld("a", subscription: Sub);
        var other = _h.ListOld("b", subscription: Other);
        _h.State.ListFailure = s => s == Sub ? new StateStoreUnavailableException("tables down") : null;

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([new SubscriptionAudit(Sub, 0, "tables down"), new SubscriptionAudit(Other, 1, null)], run.Subscriptions);
        Assert.Equal([$"{Sub}: tables down"], run.Errors);
        Assert.Equal((1, 1), (run.PoolsSeen, run.PoolsRecorded));
        Assert.NotNull(await _h.PoolAsync(other.Id));
        _h.Arm.DidNotReceive().ListAsync(Sub, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task RunAsync_StoreFailsAfterTheListing_SubscriptionFailsWithoutASecondCompletion()
    {
        _h.ListOld("a");
        var batches = 0;
        _h.State.BeforeNextBatch = () =>
        {
            batches++;
            throw new StateStoreUnavailableException("tables down");
        };

        var run = await _h.RunAsync();

        Assert.Equal(1, batches);
        Assert.Equal([new SubscriptionAudit(Sub, 1, "tables down")], run.Subscriptions);
        Assert.Equal([$"{Sub}: tables down"], run.Errors);
        Assert.Empty(_h.State.PoolBatches);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RunAsync_SubscriptionSourceFails_RunFailedWithTheError(bool arm)
    {
        _h.SubscriptionsFailure = arm ? new ArmRequestException(403, "AuthorizationFailed", "cannot list subscriptions") : new StateStoreUnavailableException("cannot list subscriptions");

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.Failed, run.Status);
        Assert.Equal(["audit: cannot list subscriptions"], run.Errors);
        Assert.Empty(run.Subscriptions);
        Assert.Equal(run, await _h.Runs.GetAsync(run.RunId, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_SubscriptionSourceThrowsSomethingElse_Propagates()
    {
        _h.SubscriptionsFailure = new InvalidOperationException("bug");

        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.RunAsync());
    }

    [Fact]
    public async Task RunAsync_EveryRun_RecordedRunningFirstThenWithItsEndAndFigures()
    {
        _h.ListOld("a");
        AuditRun? first = null;
        _h.OnSubscriptionsListed = async () =>
        {
            first = await _h.Runs.GetAsync("audit-20261125T100000Z-0123abcd", CancellationToken.None);
            _h.Time.Advance(TimeSpan.FromMinutes(5));
        };

        var run = await _h.RunAsync(new AuditRequest("queue", ResourceGroup: "cluster-x1y2z", RunId: "audit-20261125T100000Z-0123abcd"));

        Assert.NotNull(first);
        Assert.Equal(
            ("audit-20261125T100000Z-0123abcd", "queue", TestData.Now, (DateTimeOffset?)null, AuditRunStatus.Running, (string?)null, "cluster-x1y2z", false),
            (first.RunId, first.Trigger, first.Started, first.Ended, first.Status, first.SubscriptionFilter, first.ResourceGroupFilter, first.DryRun));
        Assert.Equal(("audit-20261125T100000Z-0123abcd", AuditRunStatus.Completed, TestData.Now, (DateTimeOffset?)TestData.Now.AddMinutes(5)), (run.RunId, run.Status, run.Started, run.Ended));
        Assert.Null(run.SubscriptionFilter);
        Assert.False(run.DryRun);
        Assert.Same(run, await _h.Runs.GetAsync(run.RunId, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_NoRunIdGiven_OneMadeFromTheStartTime()
    {
        var run = await _h.Audit.RunAsync(CancellationToken.None);

        Assert.True(AuditRun.IsValidId(run.RunId), run.RunId);
        Assert.StartsWith("audit-20261125T100000Z-", run.RunId, StringComparison.Ordinal);
        Assert.Equal("timer", run.Trigger);
    }

    [Fact]
    public async Task RunAsync_CancelledBeforeTheListing_ThrowsAndTheRunStaysRunning()
    {
        _h.ListOld("a");
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _h.RunAsync(new AuditRequest("test", RunId: "audit-20261125T100000Z-0123abcd"), cancel.Token));

        Assert.Equal(AuditRunStatus.Running, (await _h.Runs.GetAsync("audit-20261125T100000Z-0123abcd", CancellationToken.None))!.Status);
        Assert.Empty(_h.State.PoolBatches);
    }

    [Fact]
    public async Task RunAsync_MoreFindingsOpenedOrResolvedThanListed_CountExactListCappedAndOrdered()
    {
        var names = Enumerable.Range(0, AuditRun.MaxListedFindings + 1).Select(i => $"pool-{i:D4}").ToList();
        foreach (var name in names.AsEnumerable().Reverse())
        {
            _h.ListOld(name, an: false);
        }

        var run = await _h.RunAsync();

        Assert.Equal(501, run.FindingsOpenedCount);
        Assert.Equal(500, run.FindingsOpened.Count);
        var all = names.Select(n => Finding.IdFor(TestData.Id(n), FindingKind.AcceleratedNetworkingAvailableButOff)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(all.Take(500), run.FindingsOpened);
        Assert.Equal([501], _h.State.PoolBatches);

        // AN on everywhere: every one of them resolves, and the resolved list is capped the same way.
        _h.Listings[Sub].Clear();
        foreach (var name in names.AsEnumerable().Reverse())
        {
            _h.ListOld(name, an: true);
        }

        var fixedRun = await _h.RunAsync();

        Assert.Equal((0, 501), (fixedRun.FindingsOpenedCount, fixedRun.FindingsResolvedCount));
        Assert.Equal(all.Take(500), fixedRun.FindingsResolved);
        Assert.Empty(fixedRun.FindingsOpened);
    }

    [Fact]
    public async Task RunAsync_PendingRefusedWritePastTheHorizon_ClosedByTheAuditButNotByADryRun()
    {
        var scaleSet = _h.ListOld("pool");
        await _h.RecordAsync(scaleSet);
        var draft = new FindingDraft(FindingKind.SizeChangeRefused, FindingSeverity.Info, "refused", "none", "none", new FindingEvidence { ActivityLogPending = true, CorrelationId = "corr-1" });
        var pending = await _h.OpenAsync(draft, scaleSet.Id, TestData.Now.AddHours(-7));

        await _h.RunAsync(new AuditRequest("test", DryRun: true));
        Assert.Equal(FindingStatus.Open, (await _h.Findings.GetAsync(pending.Id, CancellationToken.None))!.Status);

        await _h.RunAsync();
        Assert.Equal(FindingStatus.Resolved, (await _h.Findings.GetAsync(pending.Id, CancellationToken.None))!.Status);
    }
}
