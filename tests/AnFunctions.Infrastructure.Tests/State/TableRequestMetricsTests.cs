using System.Diagnostics.Metrics;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Core.Telemetry;
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
}
