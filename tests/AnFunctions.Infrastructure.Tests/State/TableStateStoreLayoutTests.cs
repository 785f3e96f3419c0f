using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>What the Table store writes, read back with a plain <see cref="TableClient"/> on Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableStateStoreLayoutTests : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 5, 1, 23, 30, 0, TimeSpan.FromHours(-2));
    private static readonly ScaleSetId Id = ScaleSetId.Create("0F8FAD5B-D9CB-469F-A165-70867728950E", "My.RG(1)", "Pool_A");

    private readonly TableServiceClient _service = new(AzuriteFixture.ConnectionString);
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();
    private readonly TableStateStore _store;

    public TableStateStoreLayoutTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        _store = new TableStateStore(_service, Options.Create(new StateOptions { TablePrefix = _prefix }));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var table in _store.TableNames)
        {
            await _service.DeleteTableAsync(table);
        }
    }

    [Fact]
    public async Task AnyOperation_FirstUse_CreatesItsTableWithThePrefix()
    {
        await _store.GetPoolAsync(Id, default);
        await _store.GetProcessedEventAsync(Id, "x", default);
        await _store.MarkEventProcessedAsync(new ProcessedEvent("y", "type", "not a scale set", At, "Rejected"), default);
        await _store.GetDecisionsAsync(Id, 1, default);
        await foreach (var _ in _store.ListRejectedEventsAsync(default))
        {
        }

        var names = new List<string>();
        await foreach (var table in _service.QueryAsync(TableClient.CreateQueryFilter($"TableName ge {_prefix} and TableName lt {_prefix + "~"}")))
        {
            names.Add(table.Name);
        }

        Assert.Equal(new[] { "Decisions", "Events", "Pools", "Rejected" }.Select(s => _prefix + s), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SavePoolAsync_Keys_AreSubscriptionAndEscapedLowerCaseName()
    {
        var saved = await _store.SavePoolAsync(Pool(), default);

        var entity = await Single(_prefix + "Pools");

        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", entity.PartitionKey);
        Assert.Equal("my.rg%281%29%2Fpool_a", entity.RowKey);
        Assert.Equal(Id.Value, entity.GetString("Id"));
        Assert.Equal("""["Standard_D2s_v5","Standard_D4s_v5"]""", entity.GetString("VmSizes"));
        Assert.Equal("Active", entity.GetString("Status"));
        Assert.Equal(saved.Version, entity.ETag.ToString());
        Assert.False(entity.ContainsKey("AcceleratedNetworkingAtCreation"));
    }

    [Fact]
    public async Task SavePoolAsync_ReplaceWithNullField_RemovesTheColumn()
    {
        var saved = await _store.SavePoolAsync(Pool() with { EnabledAt = At }, default);

        await _store.SavePoolAsync(saved with { EnabledAt = null }, default);

        Assert.False((await Single(_prefix + "Pools")).ContainsKey("EnabledAt"));
    }

    [Fact]
    public async Task SavePoolAsync_PendingWrite_HasColumnsOfItsOwnRemovedOnceConcluded()
    {
        var pending = new PendingWrite
        {
            Id = "intent-7",
            StartedAt = At,
            Attempt = 2,
            State = PendingWriteState.Accepted,
            OperationUrl = "https://management.azure.com/subscriptions/0f8fad5b-d9cb-469f-a165-70867728950e/providers/Microsoft.Compute/locations/westeurope/operations/op-1?api-version=2024-11-01",
            AcceptedAt = At.AddSeconds(1),
        };
        var saved = await _store.SavePoolAsync(Pool() with { PendingWrite = pending }, default);

        var entity = await Single(_prefix + "Pools");
        Assert.Equal("intent-7", entity.GetString("PendingWriteId"));
        Assert.Equal(2, entity.GetInt32("PendingWriteAttempt"));
        Assert.Equal("Accepted", entity.GetString("PendingWriteState"));
        Assert.Equal(pending.OperationUrl, entity.GetString("PendingWriteOperation"));
        Assert.Equal(At.UtcDateTime, entity.GetDateTime("PendingWriteStartedAt"));
        Assert.False(entity.ContainsKey("PendingWriteErrorCode"));

        await _store.SavePoolAsync(saved with { PendingWrite = null }, default);

        Assert.DoesNotContain((await Single(_prefix + "Pools")).Keys, k => k.StartsWith("PendingWrite", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MarkEventProcessedAsync_SubjectIsAPool_IsARowOfThePoolsPartitionBeforeThePools()
    {
        await _store.MarkEventProcessedAsync(new ProcessedEvent("a/b#c", "type", Id.Value, At, "ok"), default);

        var entity = await Single(_prefix + "Pools");

        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", entity.PartitionKey);
        Assert.Equal("$e|a%2Fb%23c", entity.RowKey);
        Assert.Equal("a/b#c", entity.GetString("EventId"));
        Assert.True(string.CompareOrdinal(entity.RowKey, TableKeys.PoolRowsFrom) < 0);
    }

    [Fact]
    public async Task MarkEventProcessedAsync_SubjectIsNoScaleSet_IsKeptInTheEventsTableByHashBucket()
    {
        await _store.MarkEventProcessedAsync(new ProcessedEvent("a/b#c", "type", "not a scale set", At, "Rejected"), default);

        var entity = await Single(_prefix + "Events");

        Assert.Matches("^[0-9a-f]{2}$", entity.PartitionKey);
        Assert.Equal("a%2Fb%23c", entity.RowKey);
        Assert.Equal("a/b#c", entity.GetString("EventId"));
    }

    [Fact]
    public async Task AppendDecisionAsync_Keys_ArePoolsPartitionWithPoolPartAndInvertedTicks()
    {
        await _store.AppendDecisionAsync(Decision(At), default);

        var entity = await Single(_prefix + "Pools");

        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", entity.PartitionKey);
        Assert.Matches(@"^\$d\|my\.rg%281%29%2Fpool_a\|[0-9]{19}-[0-9a-f]{12}$", entity.RowKey);
        var ticks = entity.RowKey[^32..^13];
        Assert.Equal(DateTime.MaxValue.Ticks - At.UtcTicks, long.Parse(ticks, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("EnableAcceleratedNetworking", entity.GetString("Outcome"));
        Assert.Equal("NewPoolEnabled", entity.GetString("Reason"));
        Assert.True(string.CompareOrdinal(entity.RowKey, TableKeys.PoolRowsFrom) < 0);
    }

    [Fact]
    public async Task SavePoolAsync_WithDecisionAndMark_IsThreeRowsInOnePartition()
    {
        var write = new PoolWrite(Pool(), Decision(At), new ProcessedEvent("evt-1", "type", Id.Value, At, "Handled"));

        await _store.SavePoolAsync(write, default);

        var rows = await All(_prefix + "Pools");
        Assert.Equal(3, rows.Count);
        Assert.Single(rows.Select(r => r.PartitionKey).Distinct());
        Assert.Equal(["$d|", "$e|", "my."], rows.Select(r => r.RowKey[..3]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetDecisionsAsync_DecisionsInTheFormerLayout_AreReadWithTheNewOnesNewestFirst()
    {
        // Layout 1: the decisions table, one partition per pool, row = inverted ticks + suffix.
        var legacy = _service.GetTableClient(_prefix + "Decisions");
        await legacy.CreateIfNotExistsAsync();
        foreach (var (at, explanation) in new[] { (At.AddHours(-2), "older, layout 1"), (At.AddHours(1), "newest, layout 1") })
        {
            await legacy.AddEntityAsync(new TableEntity(Uri.EscapeDataString(Id.Key), TableKeys.DecisionRow(at, "0123456789ab"))
            {
                ["PoolId"] = Id.Value,
                ["At"] = at,
                ["Outcome"] = "NoChange",
                ["Reason"] = "ExistingPoolKnown",
                ["Explanation"] = explanation,
                ["Trigger"] = "audit",
                ["VmSizes"] = "[]",
            });
        }

        await _store.AppendDecisionAsync(Decision(At) with { Explanation = "layout 2" }, default);

        var decisions = await _store.GetDecisionsAsync(Id, 10, default);

        Assert.Equal(["newest, layout 1", "layout 2", "older, layout 1"], decisions.Select(d => d.Explanation));
        Assert.Equal(["newest, layout 1", "layout 2"], (await _store.GetDecisionsAsync(Id, 2, default)).Select(d => d.Explanation));
    }

    [Fact]
    public async Task AppendDecisionAsync_LongWriteBody_IsSplitIntoColumnsThatFitATableProperty()
    {
        var body = new string('x', 70_000);

        await _store.AppendDecisionAsync(Decision(At) with { WriteBody = body }, default);

        var entity = await Single(_prefix + "Pools");
        var parts = new[] { "WriteBody", "WriteBody1", "WriteBody2" }.Select(entity.GetString).ToArray();
        Assert.All(parts, p => Assert.InRange(p!.Length, 1, StateEntities.ChunkLength));
        Assert.Equal(body, string.Concat(parts));
        Assert.False(entity.ContainsKey("WriteBody3"));
    }

    [Fact]
    public async Task AzuriteItself_StringPropertyOver64KiB_IsRefused()
    {
        // Proves the split above is needed (and that Azurite checks the limit the way Table Storage does).
        var table = _service.GetTableClient(_prefix + "Pools");
        await table.CreateIfNotExistsAsync();

        var e = await Assert.ThrowsAsync<Azure.RequestFailedException>(
            () => table.AddEntityAsync(new TableEntity("p", "r") { ["Big"] = new string('x', 40_000) }));

        Assert.Equal(400, e.Status);
    }

    [Fact]
    public async Task AddRejectedEventAsync_Keys_AreUtcDayAndEscapedIdWithSuffix()
    {
        await _store.AddRejectedEventAsync(new RejectedEvent("id?1", "why", "excerpt", At), default);

        var entity = await Single(_prefix + "Rejected");

        Assert.Equal("2026-05-02", entity.PartitionKey);
        Assert.Matches("^id%3F1-[0-9a-f]{12}$", entity.RowKey);
    }

    private async Task<TableEntity> Single(string table) => Assert.Single(await All(table));

    private async Task<List<TableEntity>> All(string table)
    {
        var entities = new List<TableEntity>();
        await foreach (var entity in _service.GetTableClient(table).QueryAsync<TableEntity>())
        {
            entities.Add(entity);
        }

        return entities;
    }

    private static PoolRecord Pool() => new()
    {
        Id = Id,
        Location = "westeurope",
        VmSizes = ["Standard_D2s_v5", "Standard_D4s_v5"],
        FirstSeen = At,
        LastSeen = At,
    };

    private static DecisionRecord Decision(DateTimeOffset at) => new()
    {
        PoolId = Id,
        At = at,
        Outcome = DecisionOutcome.EnableAcceleratedNetworking,
        Reason = DecisionReason.NewPoolEnabled,
        Explanation = "new pool",
        Trigger = "event",
    };
}
