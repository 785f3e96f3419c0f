using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Tests.Reliability;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>
/// An event's Table Storage round trips on Azurite, counted by the app's own meter (<see cref="EventOutcome.TableCalls"/>):
/// the record, its decision and the event's mark travel together, so a creation costs what it must and a duplicate one read.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class EventTableRoundTripTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Subscription = "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d";
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => AzuriteFixture.DropTablesAsync(_prefix);

    [Fact]
    public async Task CreationEvent_NewPoolWithRunningNodes_SixRoundTripsAndADuplicateOne()
    {
        Assert.NotNull(azurite);
        var (emulator, services) = App();
        await using var _ = services;
        var events = services.GetRequiredService<EventDeliveryProcessor>();
        // A first pool creates the tables, outside the count.
        await events.ProcessAsync(AzuriteApp.WriteEvent(PoolId("warm-up"), "warm-up"), CancellationToken.None);

        var (created, createdCalls) = await DeliverAsync(events, PoolId("pool"), "create");
        var (duplicate, duplicateCalls) = await DeliverAsync(events, PoolId("pool"), "create");

        Assert.Equal(EventDisposition.Handled, created.Disposition);
        Assert.Single(emulator.Writes, w => w.Status == 200 && w.ResourceId.EndsWith("/pool", StringComparison.Ordinal));
        // Read the mark, read the record; the intent with its decision; the pool's findings read, the mixed-pool finding
        // with its alert; the write's outcome with the event's mark.
        Assert.Equal(new Dictionary<string, int> { ["Query"] = 1, ["Read"] = 2, ["Transaction"] = 3 }, createdCalls);
        Assert.Equal(6, created.TableCalls);
        Assert.Equal(EventDisposition.Duplicate, duplicate.Disposition);
        Assert.Equal(new Dictionary<string, int> { ["Read"] = 1 }, duplicateCalls);
        var store = services.GetRequiredService<IStateStore>();
        Assert.NotNull(await store.GetProcessedEventAsync(ScaleSetId.Parse(PoolId("pool")), "create", CancellationToken.None));
        Assert.True((await store.GetPoolAsync(ScaleSetId.Parse(PoolId("pool")), CancellationToken.None))!.EnabledByApp);
        Assert.Single(await store.GetDecisionsAsync(ScaleSetId.Parse(PoolId("pool")), 10, CancellationToken.None));
    }

    [Fact]
    public async Task WriteEvent_ExistingPoolNothingChanged_FourRoundTrips()
    {
        Assert.NotNull(azurite);
        var (_, services) = App();
        await using var _ = services;
        var events = services.GetRequiredService<EventDeliveryProcessor>();
        await events.ProcessAsync(AzuriteApp.WriteEvent(PoolId("pool"), "create"), CancellationToken.None);

        // A scale-out, say: the pool is known, nothing to write to ARM.
        var (again, calls) = await DeliverAsync(events, PoolId("pool"), "scale-out");

        Assert.Equal(EventDisposition.Handled, again.Disposition);
        // Read the mark, read the record, read the pool's findings; the record with the event's mark.
        Assert.Equal(new Dictionary<string, int> { ["Query"] = 1, ["Read"] = 2, ["Transaction"] = 1 }, calls);
        Assert.NotNull(await services.GetRequiredService<IStateStore>().GetProcessedEventAsync(ScaleSetId.Parse(PoolId("pool")), "scale-out", CancellationToken.None));
    }

    private static async Task<(EventOutcome Outcome, IReadOnlyDictionary<string, int> Calls)> DeliverAsync(EventDeliveryProcessor events, string id, string eventId)
    {
        using var calls = TableCallMeter.Begin();
        var outcome = Assert.Single((await events.ProcessAsync(AzuriteApp.WriteEvent(id, eventId), CancellationToken.None)).Outcomes);
        return (outcome, calls.Counts);
    }

    private (ArmEmulator Emulator, ServiceProvider Services) App()
    {
        var clock = new VirtualClock(AzuriteApp.Now);
        var emulator = new ArmEmulator(clock) { RequestLogLimit = 0, Throttling = ArmThrottling.Off };
        emulator.SetSkus([AzuriteApp.AnSku()]);
        emulator.PutScaleSet(AzuriteApp.ScaleSet(PoolId("warm-up")));
        emulator.PutScaleSet(AzuriteApp.ScaleSet(PoolId("pool")));
        var services = AzuriteApp.Build(emulator, clock, AzuriteFixture.ConnectionString, _prefix,
            settings: new Dictionary<string, string?> { ["AcceleratedNetworking:Subscriptions"] = Subscription });
        return (emulator, services);
    }

    private static string PoolId(string name) => $"/subscriptions/{Subscription}/resourceGroups/k8s/providers/Microsoft.Compute/virtualMachineScaleSets/{name}";
}
