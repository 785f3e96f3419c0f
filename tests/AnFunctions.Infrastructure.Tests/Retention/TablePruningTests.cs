using AnFunctions.Core.Retention;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.Infrastructure.Tests.State;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tests.Retention;

/// <summary>The Table side of pruning on Azurite: transactions per partition, and a row changed after it was read is kept.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TablePruningTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Old = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TableClient _client = new TableServiceClient(AzuriteFixture.ConnectionString).GetTableClient(TableStateStoreTests.UniquePrefix() + "Prune");

    public async Task InitializeAsync()
    {
        Assert.NotNull(azurite);
        await _client.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _client.DeleteAsync();

    [Fact]
    public async Task PruneAsync_RowChangedAfterItWasRead_IsKeptAndTheRestOfItsTransactionDeleted()
    {
        for (var i = 0; i < 5; i++)
        {
            await _client.AddEntityAsync(new TableEntity("p", $"r{i}") { ["At"] = Old });
        }

        var table = new LazyTable(_client);
        var changed = false;
        var pruned = await table.PruneAsync(RetentionTable.Decisions, "At lt datetime'2026-02-01T00:00:00Z'", ["At"], e =>
        {
            if (!changed)
            {
                // Someone updates r2 between the prune's read and its delete.
                changed = true;
                _client.UpdateEntity(new TableEntity("p", "r2") { ["At"] = Old, ["Touched"] = true }, Azure.ETag.All, TableUpdateMode.Merge);
            }

            return true;
        }, new PruneLimits(1000, 1), CancellationToken.None);

        Assert.Equal(new PrunedRows(RetentionTable.Decisions, 4, false), pruned);
        var left = Assert.Single(_client.Query<TableEntity>());
        Assert.Equal("r2", left.RowKey);
    }

    [Fact]
    public async Task PruneAsync_MoreThanATransactionInAPartition_DeletesThemAll()
    {
        var rows = Enumerable.Range(0, 230).Select(i => new TableEntity(i % 2 == 0 ? "a" : "b", $"r{i:D3}") { ["At"] = Old }).ToList();
        foreach (var partition in rows.GroupBy(r => r.PartitionKey))
        {
            foreach (var chunk in partition.Chunk(100))
            {
                await _client.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
            }
        }

        var pruned = await new LazyTable(_client).PruneAsync(
            RetentionTable.Decisions, "At lt datetime'2026-02-01T00:00:00Z'", ["At"], _ => true, new PruneLimits(1000, 1), CancellationToken.None);

        Assert.Equal(new PrunedRows(RetentionTable.Decisions, 230, false), pruned);
        Assert.Empty(_client.Query<TableEntity>());
    }
}
