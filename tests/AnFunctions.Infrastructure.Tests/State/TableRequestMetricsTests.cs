using System.Diagnostics.Metrics;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Core.Telemetry;
using AnFunctions.Infrastructure.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>The Table store's round trips are counted in <see cref="AnMetrics.TableRequests"/>, per HTTP method, on the real SDK against Azurite.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TableRequestMetricsTests
{
    [Fact]
    public async Task TableStore_SaveAndRead_CountsEachRoundTripByMethod()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<AnMetrics>();
        services.AddSingleton(TimeProvider.System);
        services.AddTableStateStore();
        services.Configure<StateOptions>(o =>
        {
            o.ConnectionString = AzuriteFixture.ConnectionString;
            o.TablePrefix = "m" + Guid.NewGuid().ToString("N")[..10];
        });
        await using var provider = services.BuildServiceProvider();
        using var requests = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), AnMetrics.MeterName, AnMetrics.TableRequests);
        var store = provider.GetRequiredService<IStateStore>();
        var id = ScaleSetId.Create("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "rg", "pool");
        var now = DateTimeOffset.UtcNow;

        await store.SavePoolAsync(new PoolRecord { Id = id, Location = "westeurope", VmSizes = ["Standard_D4s_v5"], FirstSeen = now, LastSeen = now }, CancellationToken.None);
        var before = requests.GetMeasurementSnapshot().Count;
        Assert.NotNull(await store.GetPoolAsync(id, CancellationToken.None));

        var measurements = requests.GetMeasurementSnapshot();
        Assert.True(before > 0, "the save made no counted round trip");
        Assert.Equal(before + 1, measurements.Count); // one GET for the read
        Assert.Equal("GET", measurements[^1].Tags["method"]);
        Assert.All(measurements, m => Assert.Equal(1, m.Value));
    }

    [Fact]
    public async Task TableStore_FlowInAScope_CountsItsRoundTripsByKindAndNothingOutside()
    {
        await using var provider = TableStore();
        var store = provider.GetRequiredService<IStateStore>();
        var id = ScaleSetId.Create("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "rg", "pool");
        var now = DateTimeOffset.UtcNow;
        await store.GetPoolAsync(id, CancellationToken.None); // creates the table, outside the scope

        using var scope = TableCallMeter.Begin();
        var saved = await store.SavePoolAsync(new PoolRecord { Id = id, Location = "westeurope", VmSizes = ["Standard_D4s_v5"], FirstSeen = now, LastSeen = now }, CancellationToken.None);
        await store.SavePoolAsync(saved with { LastSeen = now.AddMinutes(1) }, CancellationToken.None);
        await store.GetPoolAsync(id, CancellationToken.None);
        await foreach (var _ in store.ListPoolsAsync(id.SubscriptionId, CancellationToken.None))
        {
        }

        Assert.Equal(new Dictionary<string, int> { ["Insert"] = 1, ["Query"] = 1, ["Read"] = 1, ["Replace"] = 1 }, scope.Counts);
    }

    [Fact]
    public async Task TableStore_RecordWithItsDecisionAndItsEventsMark_IsOneRoundTrip()
    {
        await using var provider = TableStore();
        var store = provider.GetRequiredService<IStateStore>();
        var id = ScaleSetId.Create("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "rg", "pool");
        var now = DateTimeOffset.UtcNow;
        await store.GetPoolAsync(id, CancellationToken.None); // creates the table, outside the scope
        var decision = new DecisionRecord { PoolId = id, At = now, Outcome = Core.Decisions.DecisionOutcome.NoChange, Reason = Core.Decisions.DecisionReason.ExistingPoolKnown, Explanation = "known", Trigger = "event" };

        using var scope = TableCallMeter.Begin();
        var saved = await store.SavePoolAsync(
            new PoolWrite(new PoolRecord { Id = id, Location = "westeurope", VmSizes = ["Standard_D4s_v5"], FirstSeen = now, LastSeen = now }, decision,
                new ProcessedEvent("evt-1", "Microsoft.Resources.ResourceWriteSuccess", id.Value, now, "Handled")),
            CancellationToken.None);
        // A mark already there (a concurrent delivery) costs the record's save one more try, without the mark.
        await store.SavePoolAsync(new PoolWrite(saved with { LastSeen = now.AddMinutes(1) }, decision, new ProcessedEvent("evt-1", "type", id.Value, now, "Handled")), CancellationToken.None);

        Assert.Equal(new Dictionary<string, int> { ["Transaction"] = 3 }, scope.Counts);
        Assert.Equal(2, (await store.GetDecisionsAsync(id, 10, CancellationToken.None)).Count);
    }

    /// <summary>The Table state store as the app registers it, on tables of its own.</summary>
    private static ServiceProvider TableStore()
    {
        var services = new ServiceCollection();
        services.AddTableStateStore();
        services.Configure<StateOptions>(o =>
        {
            o.ConnectionString = AzuriteFixture.ConnectionString;
            o.TablePrefix = "m" + Guid.NewGuid().ToString("N")[..10];
        });
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData("GET", "/devstoreaccount1/anPools(PartitionKey='s',RowKey='rg%2Fpool')", "Read")]
    [InlineData("GET", "/anPools()", "Query")]
    [InlineData("GET", "/anPools", "Query")]
    [InlineData("POST", "/anPools", "Insert")]
    [InlineData("PUT", "/anPools(PartitionKey='s',RowKey='r')", "Replace")]
    [InlineData("PATCH", "/anPools(PartitionKey='s',RowKey='r')", "Merge")]
    [InlineData("MERGE", "/anPools(PartitionKey='s',RowKey='r')", "Merge")]
    [InlineData("DELETE", "/anPools(PartitionKey='s',RowKey='r')", "Delete")]
    [InlineData("POST", "/devstoreaccount1/$batch", "Transaction")]
    [InlineData("POST", "/Tables", "CreateTable")]
    [InlineData("DELETE", "/Tables('anPools')", "DeleteTable")]
    [InlineData("GET", "/Tables", "ListTables")]
    [InlineData("GET", "/TablesPools()", "Query")]
    public void Classify_Request_NamesTheKindOfRoundTrip(string method, string path, string kind)
    {
        Assert.Equal(kind, TableRequestMeterPolicy.Classify(method, path));
    }
}
