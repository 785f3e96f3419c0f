using AnFunctions.Core.Retention;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.Infrastructure.Tests.State;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

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

    public static TheoryData<string, string, string> FindingLayouts() => new()
    {
        // Layout 1: partition = the pool's escaped key; rows finding~{kind}, outbox~{id}.
        { "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d%2Frg%2Fvmss1", "finding~", "outbox~" },
        // Layout 2: partition = the subscription; rows finding|{pool}|{kind}, outbox|{pool}|{id}.
        { "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "finding|rg%2Fvmss1|", "outbox|rg%2Fvmss1|" },
    };

    /// <summary>
    /// The finding store's pruning relies only on the row-key kinds and the Status and date columns, so it holds for
    /// either key layout of the findings table (and leaves any other row, such as a layout marker, alone).
    /// </summary>
    [Theory]
    [MemberData(nameof(FindingLayouts))]
    public async Task FindingStorePruneAsync_EitherKeyLayout_DeletesOnlyOldResolvedFindingsAndOldDeliveredEntries(string partition, string findingRow, string outboxRow)
    {
        var prefix = TableStateStoreTests.UniquePrefix();
        var service = new TableServiceClient(AzuriteFixture.ConnectionString);
        var store = new TableFindingStore(service, Microsoft.Extensions.Options.Options.Create(new StateOptions { TablePrefix = prefix }));
        var table = service.GetTableClient(store.TableName);
        await table.CreateIfNotExistsAsync();
        try
        {
            var rows = new[]
            {
                new TableEntity(partition, findingRow + "AcceleratedNetworkingLost") { ["Status"] = "Resolved", ["ResolvedAt"] = Old },
                new TableEntity(partition, findingRow + "SizeChanged") { ["Status"] = "Open", ["ResolvedAt"] = Old },
                new TableEntity(partition, findingRow + "AcceleratedNetworkingAvailableButOff") { ["Status"] = "Resolved", ["ResolvedAt"] = Old.AddDays(60) },
                new TableEntity(partition, outboxRow + "0001-webhook") { ["Status"] = "Delivered", ["DeliveredAt"] = Old },
                new TableEntity(partition, outboxRow + "0002-webhook") { ["Status"] = "Pending", ["NextAttemptAt"] = Old },
                new TableEntity(partition, outboxRow + "0003-webhook") { ["Status"] = "Failed", ["DeliveredAt"] = Old },
                new TableEntity("layout", "findings") { ["Version"] = 2, ["Status"] = "Resolved", ["ResolvedAt"] = Old, ["DeliveredAt"] = Old },
            };
            foreach (var row in rows)
            {
                await table.AddEntityAsync(row);
            }

            var cutoff = Old.AddDays(30);
            var pruned = await store.PruneAsync(new RetentionCutoffs(cutoff, cutoff, cutoff, cutoff, cutoff, cutoff, cutoff), new PruneLimits(1000, 1), CancellationToken.None);

            Assert.Equal(
                [new PrunedRows(RetentionTable.ResolvedFindings, 1, false), new PrunedRows(RetentionTable.DeliveredAlerts, 1, false)],
                pruned);
            Assert.Equal(
                new[] { findingRow + "AcceleratedNetworkingAvailableButOff", findingRow + "SizeChanged", outboxRow + "0002-webhook", outboxRow + "0003-webhook", "findings" }.Order(StringComparer.Ordinal),
                table.Query<TableEntity>().Select(e => e.RowKey).Order(StringComparer.Ordinal));
        }
        finally
        {
            await table.DeleteAsync();
        }
    }
}
