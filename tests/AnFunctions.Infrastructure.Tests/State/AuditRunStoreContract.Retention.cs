using AnFunctions.Core.Audit;
using AnFunctions.Core.Retention;

namespace AnFunctions.Infrastructure.Tests.State;

public abstract partial class AuditRunStoreContract
{
    [Fact]
    public async Task PruneAsync_RunsStartedBeforeTheCutoff_AreDeletedNewerOnesKept()
    {
        var cutoff = Start.AddDays(30);
        await Store.SaveAsync(Run("audit-old", Start), CancellationToken.None);
        await Store.SaveAsync(Run("audit-just-before", cutoff.AddSeconds(-1)), CancellationToken.None);
        await Store.SaveAsync(Run("audit-new", cutoff.AddHours(1)), CancellationToken.None);

        var pruned = await Assert.IsAssignableFrom<IPrunableStore>(Store)
            .PruneAsync(StateStoreContract.AllAt(cutoff), new PruneLimits(1000, 1), CancellationToken.None);

        Assert.Equal(new PrunedRows(RetentionTable.AuditRuns, 2, false), Assert.Single(pruned));
        Assert.Null(await Store.GetAsync("audit-old", CancellationToken.None));
        Assert.Null(await Store.GetAsync("audit-just-before", CancellationToken.None));
        Assert.Equal("audit-new", Assert.Single(await Store.ListAsync(10, CancellationToken.None)).RunId);
    }

    [Fact]
    public async Task PruneAsync_PageLimit_DeletesAtMostItsPagesAndTheNextRunTheRest()
    {
        var cutoff = Start.AddDays(30);
        for (var i = 0; i < 3; i++)
        {
            await Store.SaveAsync(Run($"audit-{i}", Start.AddMinutes(i)), CancellationToken.None);
        }

        var prunable = Assert.IsAssignableFrom<IPrunableStore>(Store);
        var first = Assert.Single(await prunable.PruneAsync(StateStoreContract.AllAt(cutoff), new PruneLimits(2, 1), CancellationToken.None));
        var second = Assert.Single(await prunable.PruneAsync(StateStoreContract.AllAt(cutoff), new PruneLimits(2, 1), CancellationToken.None));

        Assert.Equal((2, true), (first.Deleted, first.More));
        Assert.Equal((1, false), (second.Deleted, second.More));
        Assert.Empty(await Store.ListAsync(10, CancellationToken.None));
    }
}
