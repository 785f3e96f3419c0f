using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Core.Tests.Alerts;

namespace AnFunctions.Core.Tests.Audit;

/// <summary>
/// The sweeper's batching: chunks of <see cref="AuditSweeper.ChunkSize"/>, a record or finding that lost a race, and
/// what a sweep reads before the listing.
/// </summary>
public sealed class AuditSweeperTests
{
    private const string Sub = TestData.Subscription;

    [Theory]
    [InlineData(999, new[] { 999 })]
    [InlineData(1000, new[] { 1000, 0 })]
    [InlineData(1001, new[] { 1000, 1 })]
    public async Task RunAsync_ManyPools_WrittenInChunksOfAThousand(int pools, int[] batches)
    {
        var h = new AuditHarness();
        for (var i = 0; i < pools; i++)
        {
            h.ListOld($"pool-{i:D4}");
        }

        var run = await h.RunAsync();

        Assert.Equal(batches, h.State.PoolBatches);
        Assert.Equal((pools, pools, pools), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
    }

    [Fact]
    public async Task RunAsync_RecordSavedByAnEventMeanwhile_ThatPoolReadAgainAndTheOthersStayBatched()
    {
        var h = new AuditHarness();
        var names = new[] { "pool-a", "pool-b", "pool-c" };
        foreach (var name in names)
        {
            await h.RecordAsync(h.ListOld(name));
        }

        h.Listings[Sub].Clear();
        foreach (var name in names)
        {
            h.ListOld(name, size: "Standard_D8s_v3");
        }

        var racing = TestData.Id("pool-b");
        h.State.BeforeNextBatch = async () =>
        {
            var b = await h.Memory.GetPoolAsync(racing, CancellationToken.None);
            await h.Memory.SavePoolAsync(b! with { LastSeen = TestData.Now.AddMinutes(1) }, CancellationToken.None);
        };

        var run = await h.RunAsync();

        Assert.Empty(run.Errors);
        Assert.Equal((3, 0, 3), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
        Assert.Equal([3], h.State.PoolBatches);
        Assert.Equal(1, run.ArmCalls["GetScaleSet"]);
        Assert.Equal(3, run.FindingsOpenedCount);
        foreach (var name in names)
        {
            Assert.Equal(["Standard_D8s_v3"], (await h.PoolAsync(TestData.Id(name)))!.VmSizes);
        }

        Assert.Equal(3, (await h.FindingsAsync(FindingStatus.Open)).Count(f => f.Kind == FindingKind.SizeChanged));
    }

    [Fact]
    public async Task RunAsync_FindingChangedMeanwhile_MergedAgainFromTheStore()
    {
        var h = new AuditHarness();
        var (_, id) = await FindingRacedAsync(h, then: () => { });

        var run = await h.RunAsync();

        Assert.Empty(run.Errors);
        Assert.Equal([id], run.FindingsResolved);
        Assert.Equal(1, run.FindingsResolvedCount);
        Assert.Equal(FindingStatus.Resolved, (await h.Findings.GetAsync(id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task RunAsync_FindingConflictsOnEveryMerge_ThatPoolsErrorReported()
    {
        var conflicts = new ConflictingFindingStore();
        var h = new AuditHarness(conflicts);
        var (off, id) = await FindingRacedAsync(h, then: () => conflicts.ConflictsLeft = 4);

        var run = await h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([$"{off.Id}: the record was changed by someone else"], run.Errors);
        Assert.Equal(0, run.FindingsResolvedCount);
        Assert.Equal(4, conflicts.SavesTried);
        Assert.Equal(FindingStatus.Open, (await h.Findings.GetAsync(id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task BeginAsync_OpenFindings_PendingRefusedWritesAreTheOnesStillWaitingForTheActivityLog()
    {
        var h = new AuditHarness();
        var pool = TestData.Id("pool");
        var other = TestData.Id("other");
        var waiting = await h.OpenAsync(Refused(pending: true), pool);
        await h.OpenAsync(Refused(pending: false), other);
        await h.OpenAsync(new FindingDraft(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, "lost", "c", "r", new FindingEvidence { ActivityLogPending = true }), pool);
        await h.OpenAsync(Refused(pending: true), TestData.Id("elsewhere", TestData.OtherSubscription));
        h.Time.Advance(TimeSpan.FromMinutes(3));

        var sweep = await h.Sweeper.BeginAsync(Sub, new AuditRequest("test", DryRun: true), null, CancellationToken.None);

        Assert.Equal(TestData.Now.AddMinutes(3), sweep.ReadAt);
        Assert.Equal([waiting.Id], sweep.PendingRefusedWrites.Select(f => f.Id));
        var outcome = await sweep.CompleteAsync(listingComplete: true, CancellationToken.None);
        Assert.Equal([waiting.Id], outcome.PendingRefusedWrites.Select(f => f.Id));
        Assert.Equal((0, 0, 0, 0, 0), (outcome.PoolsRecorded, outcome.PoolsClosed, outcome.ArmWrites, outcome.NodeChecks, outcome.PoolsChanged));
        Assert.Empty(outcome.Findings);
        Assert.Empty(outcome.Errors);
    }

    [Fact]
    public async Task SubscriptionSweep_ListedPoolsMarkedOrAdded_OnlyTheOthersClosedWhenTheListingIsComplete()
    {
        var h = new AuditHarness();
        var marked = await h.RecordAsync(TestData.ScaleSet(name: "marked", age: TimeSpan.FromDays(9)));
        var added = TestData.ScaleSet(name: "added", age: TimeSpan.FromDays(9));
        await h.RecordAsync(added);
        var gone = await h.RecordAsync(TestData.ScaleSet(name: "gone", age: TimeSpan.FromDays(9)));

        var partial = await h.Sweeper.BeginAsync(Sub, new AuditRequest("test"), null, CancellationToken.None);
        await partial.AddAsync(added, CancellationToken.None);
        Assert.Equal(0, (await partial.CompleteAsync(listingComplete: false, CancellationToken.None)).PoolsClosed);
        Assert.Equal(PoolStatus.Active, (await h.PoolAsync(gone.Id))!.Status);

        var sweep = await h.Sweeper.BeginAsync(Sub, new AuditRequest("test"), null, CancellationToken.None);
        sweep.MarkListed(marked.Id);
        await sweep.AddAsync(added, CancellationToken.None);
        var outcome = await sweep.CompleteAsync(listingComplete: true, CancellationToken.None);

        Assert.Equal((1, 1), (outcome.PoolsClosed, outcome.PoolsChanged));
        Assert.Equal(PoolStatus.Deleted, (await h.PoolAsync(gone.Id))!.Status);
        Assert.Equal(PoolStatus.Active, (await h.PoolAsync(marked.Id))!.Status);
        Assert.Equal(PoolStatus.Active, (await h.PoolAsync(added.Id))!.Status);
    }

    [Fact]
    public async Task SweeperMethods_NullArguments_Throw()
    {
        var h = new AuditHarness();
        await Assert.ThrowsAsync<ArgumentNullException>("subscriptionId", () => h.Sweeper.BeginAsync(null!, new AuditRequest("test"), null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>("request", () => h.Sweeper.BeginAsync(Sub, null!, null, CancellationToken.None));
        var sweep = await h.Sweeper.BeginAsync(Sub, new AuditRequest("test"), null, CancellationToken.None);
        Assert.Throws<ArgumentNullException>("id", () => sweep.MarkListed(null!));
        await Assert.ThrowsAsync<ArgumentNullException>("scaleSet", () => sweep.AddAsync(null!, CancellationToken.None));
    }

    /// <summary>
    /// A pool audited with AN off (its info finding opened), then listed with AN on (the finding to resolve), and its
    /// finding saved by someone else just before the audit's batched saves; <paramref name="then"/> runs after that save.
    /// </summary>
    private static async Task<(ScaleSetSnapshot Off, string FindingId)> FindingRacedAsync(AuditHarness h, Action then)
    {
        var off = h.ListOld("pool", an: false);
        await h.RunAsync();
        h.Listings[Sub].Clear();
        h.ListOld("pool", an: true);
        var id = Finding.IdFor(off.Id, FindingKind.AcceleratedNetworkingAvailableButOff);
        h.State.BeforeNextBatch = async () =>
        {
            var finding = await h.Findings.GetAsync(id, CancellationToken.None);
            await h.Findings.SaveAsync(finding! with { LastSeen = TestData.Now.AddMinutes(1) }, [], CancellationToken.None);
            then();
        };
        return (off, id);
    }

    private static FindingDraft Refused(bool pending) =>
        new(FindingKind.SizeChangeRefused, FindingSeverity.Info, "refused", "c", "r", new FindingEvidence { ActivityLogPending = pending, CorrelationId = "corr-1" });
}
