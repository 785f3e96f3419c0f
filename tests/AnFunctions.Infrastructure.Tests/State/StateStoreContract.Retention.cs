using AnFunctions.Core.Retention;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>Pruning: what is past its cutoff goes, in bounded pages; what is not stays.</summary>
public abstract partial class StateStoreContract
{
    private static readonly DateTimeOffset Cutoff = new(2026, 3, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly PruneLimits Unbounded = new(1000, 10);

    private IPrunableStore Prunable => Assert.IsAssignableFrom<IPrunableStore>(Store);

    internal static RetentionCutoffs AllAt(DateTimeOffset at) => new(at, at, at, at, at, at, at);

    [Fact]
    public async Task PruneAsync_ProcessedEvents_DeletesOnlyThoseProcessedBeforeTheCutoff()
    {
        var old = new ProcessedEvent("old-" + Guid.NewGuid(), "type", EventPool.Value, Cutoff.AddSeconds(-1), "handled");
        var atCutoff = new ProcessedEvent("at-" + Guid.NewGuid(), "type", EventPool.Value, Cutoff, "handled");
        var recent = new ProcessedEvent("new-" + Guid.NewGuid(), "type", EventPool.Value, Cutoff.AddHours(1), "handled");
        foreach (var processed in new[] { old, atCutoff, recent })
        {
            await Store.MarkEventProcessedAsync(processed, Ct);
        }

        var pruned = await Prunable.PruneAsync(AllAt(Cutoff), Unbounded, Ct);

        Assert.Equal(new PrunedRows(RetentionTable.ProcessedEvents, 1, false), pruned.Single(p => p.Table == RetentionTable.ProcessedEvents));
        Assert.Null(await Store.GetProcessedEventAsync(EventPool, old.EventId, Ct));
        Assert.NotNull(await Store.GetProcessedEventAsync(EventPool, atCutoff.EventId, Ct));
        Assert.NotNull(await Store.GetProcessedEventAsync(EventPool, recent.EventId, Ct));
    }

    [Fact]
    public async Task PruneAsync_Decisions_DeletesOnlyThoseMadeBeforeTheCutoff()
    {
        var id = NewId();
        await Store.AppendDecisionAsync(Decision(id, Cutoff.AddDays(-3)), Ct);
        await Store.AppendDecisionAsync(Decision(id, Cutoff.AddTicks(-1)), Ct);
        await Store.AppendDecisionAsync(Decision(id, Cutoff.AddMinutes(5)), Ct);

        var pruned = await Prunable.PruneAsync(AllAt(Cutoff), Unbounded, Ct);

        Assert.Equal(new PrunedRows(RetentionTable.Decisions, 2, false), pruned.Single(p => p.Table == RetentionTable.Decisions));
        var left = Assert.Single(await Store.GetDecisionsAsync(id, 10, Ct));
        Assert.Equal(Cutoff.AddMinutes(5), left.At);
    }

    [Fact]
    public async Task PruneAsync_DeletedPools_DeletesOnlyRecordsOfPoolsDeletedBeforeTheCutoff()
    {
        var subscription = Guid.NewGuid().ToString();
        ScaleSetId Pool(string name) => ScaleSetId.Create(subscription, "rg", name);
        var existing = FullPool(Pool("existing")) with { LastSeen = Cutoff.AddDays(-400) };
        var goneLongAgo = FullPool(Pool("gone-long-ago")) with { Status = PoolStatus.Deleted, DeletedAt = Cutoff.AddDays(-1) };
        var goneAtCutoff = FullPool(Pool("gone-at-cutoff")) with { Status = PoolStatus.Deleted, DeletedAt = Cutoff };
        var goneRecently = FullPool(Pool("gone-recently")) with { Status = PoolStatus.Deleted, DeletedAt = Cutoff.AddHours(1) };
        foreach (var record in new[] { existing, goneAtCutoff, goneRecently })
        {
            await Store.SavePoolAsync(record, Ct);
        }

        // The long-gone pool's decision and an event's mark share its partition: they have retentions of their own.
        await Store.SavePoolAsync(new PoolWrite(goneLongAgo, Decision(goneLongAgo.Id, Cutoff.AddDays(1)),
            new ProcessedEvent("evt-" + Guid.NewGuid(), "type", goneLongAgo.Id.Value, Cutoff.AddDays(1), "Recorded")), Ct);

        var pruned = await Prunable.PruneAsync(AllAt(Cutoff), Unbounded, Ct);

        Assert.Equal(new PrunedRows(RetentionTable.DeletedPools, 1, false), pruned.Single(p => p.Table == RetentionTable.DeletedPools));
        Assert.Null(await Store.GetPoolAsync(goneLongAgo.Id, Ct));
        Assert.Equal(["existing", "gone-at-cutoff", "gone-recently"],
            (await ToListAsync(Store.ListPoolsAsync(subscription, Ct))).Select(p => p.Id.Name).Order(StringComparer.Ordinal));
        Assert.Single(await Store.GetDecisionsAsync(goneLongAgo.Id, 10, Ct));
    }

    [Fact]
    public async Task PruneAsync_RejectedEvents_DeletesOnlyThoseRejectedBeforeTheCutoff()
    {
        await Store.AddRejectedEventAsync(new RejectedEvent("old", "malformed", "{", Cutoff.AddDays(-40)), Ct);
        await Store.AddRejectedEventAsync(new RejectedEvent("recent", "malformed", "{", Cutoff.AddHours(2)), Ct);

        var pruned = await Prunable.PruneAsync(AllAt(Cutoff), Unbounded, Ct);

        Assert.Equal(new PrunedRows(RetentionTable.RejectedEvents, 1, false), pruned.Single(p => p.Table == RetentionTable.RejectedEvents));
        Assert.Equal("recent", Assert.Single(await ToListAsync(Store.ListRejectedEventsAsync(Ct))).EventId);
    }

    [Fact]
    public async Task PruneAsync_MoreThanOneRunHolds_DeletesAtMostItsPagesAndSaysMoreIsLeft()
    {
        var expired = Enumerable.Range(0, 5).Select(i => new ProcessedEvent($"old-{i}-{Guid.NewGuid()}", "t", EventPool.Value, Cutoff.AddHours(-i - 1), "handled")).ToList();
        var kept = new ProcessedEvent("kept-" + Guid.NewGuid(), "t", EventPool.Value, Cutoff.AddMinutes(1), "handled");
        foreach (var processed in expired.Append(kept))
        {
            await Store.MarkEventProcessedAsync(processed, Ct);
        }

        var limits = new PruneLimits(PageSize: 2, MaxPages: 1);
        var first = (await Prunable.PruneAsync(AllAt(Cutoff), limits, Ct)).Single(p => p.Table == RetentionTable.ProcessedEvents);
        var runs = new List<PrunedRows> { first };
        while (runs[^1].More && runs.Count < 10)
        {
            runs.Add((await Prunable.PruneAsync(AllAt(Cutoff), limits, Ct)).Single(p => p.Table == RetentionTable.ProcessedEvents));
        }

        Assert.InRange(first.Deleted, 1, limits.MaxRows);
        Assert.True(first.More);
        Assert.All(runs, r => Assert.InRange(r.Deleted, 0, limits.MaxRows));
        Assert.False(runs[^1].More);
        Assert.Equal(expired.Count, runs.Sum(r => r.Deleted));
        foreach (var processed in expired)
        {
            Assert.Null(await Store.GetProcessedEventAsync(EventPool, processed.EventId, Ct));
        }

        Assert.NotNull(await Store.GetProcessedEventAsync(EventPool, kept.EventId, Ct));
    }

    [Fact]
    public async Task PruneAsync_NothingPastTheCutoff_DeletesNothing()
    {
        await Store.MarkEventProcessedAsync(new ProcessedEvent("e-" + Guid.NewGuid(), "t", EventPool.Value, Cutoff, "handled"), Ct);
        await Store.AppendDecisionAsync(Decision(NewId(), Cutoff), Ct);
        await Store.AddRejectedEventAsync(new RejectedEvent("r", "why", "{", Cutoff), Ct);

        var pruned = await Prunable.PruneAsync(AllAt(Cutoff), Unbounded, Ct);

        Assert.Equal(
            [RetentionTable.ProcessedEvents, RetentionTable.Decisions, RetentionTable.RejectedEvents, RetentionTable.DeletedPools],
            pruned.Select(p => p.Table).Order());
        Assert.All(pruned, p => Assert.Equal(0, p.Deleted));
        Assert.All(pruned, p => Assert.False(p.More));
    }
}
