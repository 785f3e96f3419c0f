using AnFunctions.Core.Findings;
using AnFunctions.Core.Retention;
using AnFunctions.Infrastructure.Tests.State;
using static AnFunctions.Infrastructure.Tests.Findings.FindingTestData;

namespace AnFunctions.Infrastructure.Tests.Findings;

/// <summary>Pruning: resolved findings and delivered entries past their cutoff go; open findings and undelivered entries never.</summary>
public abstract partial class FindingStoreContract
{
    private static readonly DateTimeOffset Cutoff = T0.AddDays(30);

    private IPrunableStore Prunable => Assert.IsAssignableFrom<IPrunableStore>(Store);

    [Fact]
    public async Task PruneAsync_ResolvedFindings_DeletesOnlyThoseResolvedBeforeTheCutoffNeverAnOpenOne()
    {
        var resolvedLongAgo = Minimal(NewPool()) with { Status = FindingStatus.Resolved, ResolvedAt = Cutoff.AddDays(-1) };
        var resolvedRecently = Minimal(NewPool()) with { Status = FindingStatus.Resolved, ResolvedAt = Cutoff.AddMinutes(1) };
        var openForAges = Minimal(NewPool()) with { FirstSeen = Cutoff.AddDays(-300), LastSeen = Cutoff.AddDays(-200) };
        var openWithAnOldResolvedAt = Full(NewPool()) with { Status = FindingStatus.Open, ResolvedAt = Cutoff.AddDays(-100) };
        foreach (var finding in new[] { resolvedLongAgo, resolvedRecently, openForAges, openWithAnOldResolvedAt })
        {
            await Store.SaveAsync(finding, [], Ct);
        }

        var pruned = await Prunable.PruneAsync(StateStoreContract.AllAt(Cutoff), new PruneLimits(1000, 10), Ct);

        Assert.Equal(new PrunedRows(RetentionTable.ResolvedFindings, 1, false), pruned.Single(p => p.Table == RetentionTable.ResolvedFindings));
        Assert.Null(await Store.GetAsync(resolvedLongAgo.Id, Ct));
        Assert.NotNull(await Store.GetAsync(resolvedRecently.Id, Ct));
        Assert.NotNull(await Store.GetAsync(openForAges.Id, Ct));
        Assert.NotNull(await Store.GetAsync(openWithAnOldResolvedAt.Id, Ct));
    }

    [Fact]
    public async Task PruneAsync_OutboxEntries_DeletesOnlyThoseDeliveredBeforeTheCutoffNeverAnUndeliveredOne()
    {
        var finding = Minimal(NewPool());
        var deliveredLongAgo = Entry(finding, "webhook", Cutoff.AddDays(-5), OutboxStatus.Delivered) with { DeliveredAt = Cutoff.AddDays(-5), Attempts = 1 };
        var deliveredRecently = Entry(finding, "teams", Cutoff.AddDays(-5), OutboxStatus.Delivered) with { DeliveredAt = Cutoff.AddSeconds(1), Attempts = 1 };
        var pendingForAges = Entry(finding, "slack", Cutoff.AddDays(-60));
        var failedLongAgo = Entry(finding, "pagerduty", Cutoff.AddDays(-60), OutboxStatus.Failed) with { DeliveredAt = Cutoff.AddDays(-60), Attempts = 1 };
        await Store.SaveAsync(finding, [deliveredLongAgo, deliveredRecently, pendingForAges, failedLongAgo], Ct);

        var pruned = await Prunable.PruneAsync(StateStoreContract.AllAt(Cutoff), new PruneLimits(1000, 10), Ct);

        Assert.Equal(new PrunedRows(RetentionTable.DeliveredAlerts, 1, false), pruned.Single(p => p.Table == RetentionTable.DeliveredAlerts));
        Assert.Equal(
            new[] { deliveredRecently.Id, pendingForAges.Id, failedLongAgo.Id }.Order(StringComparer.Ordinal),
            (await Store.ListOutboxAsync(finding.Id, Ct)).Select(e => e.Id).Order(StringComparer.Ordinal));
        Assert.NotNull(await Store.GetAsync(finding.Id, Ct));
    }

    [Fact]
    public async Task PruneAsync_PageLimit_DeletesAtMostItsPagesPerRunUntilNoneIsLeft()
    {
        var findings = Enumerable.Range(0, 5)
            .Select(i => Minimal(NewPool()) with { Status = FindingStatus.Resolved, ResolvedAt = Cutoff.AddHours(-i - 1) })
            .ToList();
        foreach (var finding in findings)
        {
            await Store.SaveAsync(finding, [], Ct);
        }

        var limits = new PruneLimits(PageSize: 2, MaxPages: 1);
        var runs = new List<PrunedRows>();
        do
        {
            runs.Add((await Prunable.PruneAsync(StateStoreContract.AllAt(Cutoff), limits, Ct)).Single(p => p.Table == RetentionTable.ResolvedFindings));
        }
        while (runs[^1].More && runs.Count < 10);

        Assert.True(runs[0].More);
        Assert.All(runs, r => Assert.InRange(r.Deleted, 0, limits.MaxRows));
        Assert.Equal(findings.Count, runs.Sum(r => r.Deleted));
        Assert.Empty(await ToListAsync(Store.ListAsync(new FindingQuery(), Ct)));
    }

    [Fact]
    public async Task PruneAsync_FindingReopenedAfterItsPrune_IsAFreshInsert()
    {
        var pool = NewPool();
        var resolved = await Store.SaveAsync(Minimal(pool) with { Status = FindingStatus.Resolved, ResolvedAt = Cutoff.AddDays(-1) }, [], Ct);
        await Prunable.PruneAsync(StateStoreContract.AllAt(Cutoff), new PruneLimits(1000, 1), Ct);

        var reopened = await Store.SaveAsync(Minimal(pool) with { FirstSeen = Cutoff, LastSeen = Cutoff }, [], Ct);

        Assert.NotEqual(resolved.Version, reopened.Version);
        Assert.Equal(FindingStatus.Open, (await Store.GetAsync(reopened.Id, Ct))!.Status);
    }
}
