using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Tests.State;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.Reliability;

/// <summary>
/// Two app instances (each its own DI, caches, SDK clients and Table clients) share one Azurite and one ARM: Event
/// Grid's duplicate deliveries, concurrently, must produce exactly one ARM write. Concurrency control is the store's
/// conditional writes and ARM's If-Match, not an in-process lock.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TwoInstancesOnAzuriteTests(AzuriteFixture azurite, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Subscription = "4e5f6a7b-8c9d-4e0f-9a1b-2c3d4e5f6a7b";
    private static readonly DateTimeOffset Now = AzuriteApp.Now;
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => AzuriteFixture.DropTablesAsync(_prefix);

    [Fact]
    public async Task ThousandDeliveriesAcrossTwoInstancesOnOneAzurite_WriteExactlyOnce()
    {
        Assert.NotNull(azurite);
        var clock = new VirtualClock(Now);
        // This measures the app under duplicate deliveries, not ARM's limits: 1,000 reads at once exceed its read bucket.
        var emulator = new ArmEmulator(clock) { RequestLogLimit = 0, Throttling = ArmThrottling.Off };
        emulator.SetSkus([AzuriteApp.AnSku()]);
        var id = $"/subscriptions/{Subscription}/resourceGroups/k8s/providers/Microsoft.Compute/virtualMachineScaleSets/storm";
        emulator.PutScaleSet(AzuriteApp.ScaleSet(id));

        await using var first = AzuriteApp.Build(emulator, clock, AzuriteFixture.ConnectionString, _prefix);
        await using var second = AzuriteApp.Build(emulator, clock, AzuriteFixture.ConnectionString, _prefix);
        var processors = new[] { first.GetRequiredService<EventDeliveryProcessor>(), second.GetRequiredService<EventDeliveryProcessor>() };
        var payload = AzuriteApp.WriteEvent(id, "storm-azurite");

        var redeliveries = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            try
            {
                await processors[i % 2].ProcessAsync(payload, ct);
            }
            catch (DeliveryRetryException)
            {
                Interlocked.Increment(ref redeliveries);
            }
        });

        output.WriteLine($"deliveries 1000, PATCHes sent {emulator.Writes.Count} (refused with 412: {emulator.Writes.Count(w => w.Status == 412)}), " +
            $"redeliveries asked {redeliveries}, ARM GETs {emulator.Count(ArmCallKind.GetScaleSet)}");
        Assert.Single(emulator.Writes, w => w.Status == 200);
        Assert.All(emulator.Writes.Where(w => w.Status != 200), w => Assert.Equal(412, w.Status));
        var store = first.GetRequiredService<IStateStore>();
        var pool = await store.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.True(pool!.AcceleratedNetworking);
        Assert.True(pool.EnabledByApp);
        Assert.NotNull(await store.GetProcessedEventAsync(ScaleSetId.Parse(id), "storm-azurite", CancellationToken.None));
    }
}
