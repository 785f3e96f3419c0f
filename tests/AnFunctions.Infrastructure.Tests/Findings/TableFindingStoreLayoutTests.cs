using System.Text.Json.Nodes;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.Infrastructure.Tests.State;
using AnFunctions.InMemory.Findings;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static AnFunctions.Infrastructure.Tests.Findings.FindingTestData;

namespace AnFunctions.Infrastructure.Tests.Findings;

/// <summary>What the Table finding store writes, read back with a plain <see cref="TableClient"/> on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableFindingStoreLayoutTests : IAsyncLifetime
{
    private static readonly ScaleSetId Pool = ScaleSetId.Create("0F8FAD5B-D9CB-469F-A165-70867728950E", "My.RG(1)", "Pool_A");

    private readonly TableServiceClient _service = new(AzuriteFixture.ConnectionString);
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();
    private readonly TableFindingStore _store;
    private readonly TableClient _table;

    public TableFindingStoreLayoutTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        _store = new TableFindingStore(_service, Options.Create(new StateOptions { TablePrefix = _prefix }));
        _table = _service.GetTableClient(_store.TableName);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _service.DeleteTableAsync(_store.TableName);

    [Fact]
    public async Task AnyOperation_FirstUse_CreatesOneTableNamedPrefixFindings()
    {
        await _store.GetAsync("fnd-x", default);

        var names = new List<string>();
        await foreach (var table in _service.QueryAsync(TableClient.CreateQueryFilter($"TableName ge {_prefix} and TableName lt {_prefix + "~"}")))
        {
            names.Add(table.Name);
        }

        Assert.Equal([_prefix + "Findings"], names);
    }

    [Fact]
    public async Task SaveAsync_FindingWithOutbox_SubscriptionPartitionRowsByPoolThenKindOrEntryId()
    {
        var finding = Full(Pool);
        var entries = new[] { Entry(finding, "webhook"), Entry(finding, "pagerduty", T0.AddSeconds(1)) };

        var saved = await _store.SaveAsync(finding, entries, default);

        var rows = await AllRowsAsync();
        Assert.Equal(3, rows.Count);
        const string partition = "0f8fad5b-d9cb-469f-a165-70867728950e";
        Assert.All(rows, r => Assert.Equal(partition, r.PartitionKey));
        Assert.Equal(partition, TableKeys.PoolPartition(Pool));
        Assert.Equal(
            new[] { "finding|my.rg%281%29%2Fpool_a|AcceleratedNetworkingLost" }.Concat(entries.Select(e => "outbox|my.rg%281%29%2Fpool_a|" + e.Id)).Order(StringComparer.Ordinal),
            rows.Select(r => r.RowKey));

        var row = rows.Single(r => r.RowKey.StartsWith("finding|", StringComparison.Ordinal));
        Assert.Equal(finding.Id, row.GetString("Id"));
        Assert.Equal(Pool.Value, row.GetString("PoolId"));
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", row.GetString("Subscription"));
        Assert.Equal("AcceleratedNetworkingLost", row.GetString("Kind"));
        Assert.Equal("Critical", row.GetString("Severity"));
        Assert.Equal("Open", row.GetString("Status"));
        Assert.Equal(finding.FirstSeen.UtcTicks, row.GetDateTimeOffset("FirstSeen")?.UtcTicks);
        Assert.Equal(finding.Message, row.GetString("Message"));
        Assert.Equal(["ev-1", "ev/2#?", "ev'3"], JsonNode.Parse(row.GetString("Evidence")!)!["eventIds"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(saved.Version, row.ETag.ToString());

        var outbox = rows.Single(r => r.RowKey == "outbox|my.rg%281%29%2Fpool_a|" + entries[0].Id);
        Assert.Equal(entries[0].Id, outbox.GetString("Id"));
        Assert.Equal(finding.Id, outbox.GetString("FindingId"));
        Assert.Equal("webhook", outbox.GetString("Sink"));
        Assert.Equal("Pending", outbox.GetString("Status"));
        Assert.Equal(0, outbox.GetInt32("Attempts"));
        Assert.Equal(T0.UtcTicks, outbox.GetDateTimeOffset("NextAttemptAt")?.UtcTicks);
        Assert.Equal(finding.Id, (string?)JsonNode.Parse(outbox.GetString("Notification")!)!["finding"]!["id"]);
        Assert.False(outbox.ContainsKey("DeliveredAt"));
        Assert.False(outbox.ContainsKey("LastError"));
    }

    [Fact]
    public async Task SaveAsync_InsertMeetsAnExistingOutboxRow_TransactionFailsAndLeavesNothingBehind()
    {
        var finding = Full(Pool);
        var clashing = Entry(finding, "teams");
        await _table.CreateIfNotExistsAsync();
        await _store.GetAsync("fnd-x", default); // the table, its layout marker
        await _table.AddEntityAsync(new TableEntity(Pool.SubscriptionId, "outbox|my.rg%281%29%2Fpool_a|" + clashing.Id) { ["Marker"] = "here before" });

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => _store.SaveAsync(finding, [Entry(finding, "webhook"), clashing], default));

        var row = Assert.Single(await AllRowsAsync());
        Assert.Equal("here before", row.GetString("Marker"));
        Assert.Null(await _store.GetAsync(finding.Id, default));
    }

    [Fact]
    public async Task SaveAsync_StaleReplaceWithOutbox_TransactionFailsAndLeavesNothingBehind()
    {
        var inserted = await _store.SaveAsync(Full(Pool), [], default);
        var current = await _store.SaveAsync(inserted with { Message = "current" }, [], default);
        var before = await AllRowsAsync();

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => _store.SaveAsync(inserted with { Message = "stale" }, [Entry(inserted, "webhook"), Entry(inserted, "teams")], default));

        var after = await AllRowsAsync();
        var row = Assert.Single(after);
        Assert.Equal(Assert.Single(before).ETag, row.ETag);
        Assert.Equal(current.Version, row.ETag.ToString());
        Assert.Equal("current", row.GetString("Message"));
    }

    [Fact]
    public async Task SaveAsync_LongEvidenceAndNotification_AreSplitIntoColumnsThatFitATableProperty()
    {
        var text = string.Concat(Enumerable.Repeat("évidence-", FindingLimits.MaxTextLength / 9));
        var finding = Full(Pool) with
        {
            Evidence = Full(Pool).Evidence with { ErrorMessage = text, SizeSupport = text, Cluster = text, Location = text, CorrelationId = text },
        };

        await _store.SaveAsync(finding, [Entry(finding)], default);

        var rows = await AllRowsAsync();
        var evidence = Columns(rows.Single(r => r.RowKey.StartsWith("finding|", StringComparison.Ordinal)), "Evidence");
        var notification = Columns(rows.Single(r => r.RowKey.StartsWith("outbox|", StringComparison.Ordinal)), "Notification");
        Assert.Equal(2, evidence.Count);
        Assert.Equal(2, notification.Count);
        Assert.All(evidence.Concat(notification), part => Assert.InRange(part.Length, 1, EntityColumns.ChunkLength));
        Assert.Equal(text, (string?)JsonNode.Parse(string.Concat(evidence))!["errorMessage"]);
        Assert.Equal(text, (string?)JsonNode.Parse(string.Concat(notification))!["finding"]!["evidence"]!["location"]);
        Assert.Equal(text, (await _store.GetAsync(finding.Id, default))?.Evidence.Cluster);
    }

    [Fact]
    public async Task SaveAsync_ReplaceWithNullField_RemovesTheColumn()
    {
        var saved = await _store.SaveAsync(Full(Pool), [], default);
        Assert.True(Assert.Single(await AllRowsAsync()).ContainsKey("ResolvedAt"));

        await _store.SaveAsync(saved with { ResolvedAt = null, LastNotifiedAt = null }, [], default);

        var row = Assert.Single(await AllRowsAsync());
        Assert.False(row.ContainsKey("ResolvedAt"));
        Assert.False(row.ContainsKey("LastNotifiedAt"));
    }

    [Fact]
    public async Task UpdateOutboxAsync_Entry_ReplacesOnlyItsRow()
    {
        var finding = Full(Pool);
        await _store.SaveAsync(finding, [Entry(finding, "webhook"), Entry(finding, "teams")], default);
        var before = (await AllRowsAsync()).ToDictionary(r => r.RowKey, r => r.ETag);
        var entry = (await _store.ListOutboxAsync(finding.Id, default)).Single(e => e.Sink == "teams");

        await _store.UpdateOutboxAsync(entry with { Status = OutboxStatus.Delivered, DeliveredAt = T0 }, default);

        var after = (await AllRowsAsync()).ToDictionary(r => r.RowKey, r => r.ETag);
        Assert.Equal(before.Keys, after.Keys);
        Assert.Equal([TableKeys.OutboxRow(Pool, entry.Id)], after.Where(p => p.Value != before[p.Key]).Select(p => p.Key));
    }

    [Fact]
    public async Task FirstUse_EmptyTable_WritesTheLayoutMarkerAndAnotherInstanceOnlyReadsIt()
    {
        await _store.GetAsync("fnd-x", default);

        var marker = await _table.GetEntityAsync<TableEntity>(FindingLayout.MarkerPartition, FindingLayout.MarkerRow);
        Assert.Equal(2, marker.Value.GetInt32("Version"));

        // Another instance: the app's own Table client (its pipeline counts the round trips).
        var services = new ServiceCollection().AddTableFindingStore();
        services.Configure<StateOptions>(o =>
        {
            o.ConnectionString = AzuriteFixture.ConnectionString;
            o.TablePrefix = _prefix;
        });
        await using var provider = services.BuildServiceProvider();
        var another = provider.GetRequiredService<IFindingStore>();
        using var scope = TableCallMeter.Begin();
        await another.ListForPoolAsync(Pool, default);
        Assert.Equal(new Dictionary<string, int> { ["CreateTable"] = 1, ["Query"] = 1, ["Read"] = 1 }, scope.Counts);
    }

    [Fact]
    public async Task FirstUse_RowsOfLayoutOne_AreMovedToLayoutTwoAndReadAsBefore()
    {
        // What the app wrote before the subscription partitions: a pool's own partition, finding~ and outbox~ rows.
        var other = ScaleSetId.Create("0f8fad5b-d9cb-469f-a165-70867728950e", "rg2", "pool-b");
        var open = Full(Pool) with { Version = null };
        var resolved = Minimal(other) with { Status = FindingStatus.Resolved, ResolvedAt = T0 };
        var pending = Entry(open, "webhook");
        var delivered = Entry(open, "teams", T0.AddSeconds(1)) with { Status = OutboxStatus.Delivered, DeliveredAt = T0.AddMinutes(1), Attempts = 1 };
        await _table.CreateIfNotExistsAsync();
        foreach (var (finding, entries) in new[] { (open, new[] { pending, delivered }), (resolved, Array.Empty<OutboxEntry>()) })
        {
            var partition = TableKeys.LegacyFindings.Partition(finding.PoolId);
            var row = FindingEntities.FromFinding(finding);
            row.PartitionKey = partition;
            row.RowKey = TableKeys.LegacyFindings.FindingRow(finding.Kind);
            await _table.AddEntityAsync(row);
            foreach (var entry in entries)
            {
                var entity = FindingEntities.FromOutbox(entry);
                entity.PartitionKey = partition;
                entity.RowKey = TableKeys.LegacyFindings.OutboxRow(entry.Id);
                await _table.AddEntityAsync(entity);
            }
        }

        var read = await _store.GetAsync(open.Id, default);

        Assert.NotNull(read);
        Assert.Equal(open.Message, read.Message);
        Assert.Equal(open.Evidence.EventIds, read.Evidence.EventIds);
        Assert.Equal([pending.Id, delivered.Id], (await _store.ListOutboxAsync(open.Id, default)).Select(e => e.Id));
        Assert.Equal(pending.Id, Assert.Single(await _store.ListDueAsync(DateTimeOffset.MaxValue, 10, default)).Id);
        Assert.Equal([resolved.Id], (await _store.ListForPoolAsync(other, default)).Select(f => f.Id));
        Assert.Equal([open.Id], await ToIdsAsync(_store.ListAsync(new FindingQuery(FindingStatus.Open, SubscriptionId: Pool.SubscriptionId), default)));
        var rows = await AllRowsAsync();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(Pool.SubscriptionId, r.PartitionKey));
        Assert.DoesNotContain(rows, r => r.RowKey.Contains('~', StringComparison.Ordinal));
        Assert.Equal(2, (await _table.GetEntityAsync<TableEntity>(FindingLayout.MarkerPartition, FindingLayout.MarkerRow)).Value.GetInt32("Version"));
    }

    [Fact]
    public async Task Migration_RowAlreadyInLayoutTwo_KeepsTheNewerRowAndDropsTheOldOne()
    {
        // A crash after the move and before the delete, then the app changed the finding in layout 2.
        var finding = Full(Pool) with { Message = "old", Version = null };
        await _store.GetAsync("fnd-x", default);
        var legacy = FindingEntities.FromFinding(finding);
        legacy.PartitionKey = TableKeys.LegacyFindings.Partition(Pool);
        legacy.RowKey = TableKeys.LegacyFindings.FindingRow(finding.Kind);
        await _table.AddEntityAsync(legacy);
        await _store.SaveAsync(finding with { Message = "newer" }, [], default);

        Assert.Equal(1, await FindingLayout.MigrateAsync(_table, default));

        Assert.Equal("newer", (await _store.GetAsync(finding.Id, default))?.Message);
        Assert.Single(await AllRowsAsync());
    }

    private static async Task<List<string>> ToIdsAsync(IAsyncEnumerable<Finding> findings)
    {
        var ids = new List<string>();
        await foreach (var finding in findings)
        {
            ids.Add(finding.Id);
        }

        return ids;
    }

    private static List<string> Columns(TableEntity entity, string column)
    {
        var parts = new List<string>();
        for (var i = 0; entity.GetString(i == 0 ? column : column + i) is { } part; i++)
        {
            parts.Add(part);
        }

        return parts;
    }

    private async Task<List<TableEntity>> AllRowsAsync()
    {
        var rows = new List<TableEntity>();
        await foreach (var row in _table.QueryAsync<TableEntity>())
        {
            if (row.PartitionKey != FindingLayout.MarkerPartition)
            {
                rows.Add(row);
            }
        }

        return rows;
    }
}
