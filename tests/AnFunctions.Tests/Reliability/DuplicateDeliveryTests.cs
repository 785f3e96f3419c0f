using AnFunctions.Core.Events;
using AnFunctions.Core.Findings;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.Tests.Reliability;

/// <summary>Event Grid delivers at least once: duplicates, concurrently, to more than one app instance.</summary>
public sealed class DuplicateDeliveryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ThousandConcurrentDeliveriesAcrossTwoInstances_WriteExactlyOnce()
    {
        var clock = new VirtualClock(Now);
        // This measures the app under duplicate deliveries, not ARM's limits: 1,000 reads at once exceed its read bucket.
        var emulator = new ArmEmulator(clock) { Throttling = ArmThrottling.Off };
        emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-storm");
        emulator.PutScaleSet(Fleet.ScaleSet("pool-storm", "Standard_D4s_v5", Now.AddMinutes(-1)));

        // Two app instances: their own DI, caches and SDK clients; one ARM and one state store between them.
        var state = new InMemoryStateStore();
        var findings = new InMemoryFindingStore();
        void Shared(IServiceCollection services)
        {
            services.RemoveAll<IStateStore>();
            services.AddSingleton<IStateStore>(state);
            services.RemoveAll<IFindingStore>();
            services.AddSingleton<IFindingStore>(findings);
        }

        await using var first = AppUnderTest.Create(emulator: emulator, clock: clock, configure: Shared);
        await using var second = AppUnderTest.Create(emulator: emulator, clock: clock, configure: Shared);
        var functions = new[] { first.Create<ScaleSetEventsFunction>(), second.Create<ScaleSetEventsFunction>() };
        var payload = Fleet.WriteEvent(id, "storm-1");

        var failures = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            try
            {
                await functions[i % 2].RunAsync(payload, ct);
            }
            catch (DeliveryRetryException)
            {
                // A redelivery: Event Grid would send it again, which this loop already does.
                Interlocked.Increment(ref failures);
            }
        });

        Assert.Single(emulator.Writes, w => w.Status == 200);
        // Racing deliveries may send a PATCH on the same ETag; ARM (If-Match) refuses all but one.
        Assert.All(emulator.Writes.Where(w => w.Status != 200), w => Assert.Equal(412, w.Status));
        var pool = await state.GetPoolAsync(Core.ScaleSets.ScaleSetId.Parse(id), CancellationToken.None);
        Assert.True(pool!.AcceleratedNetworking);
        Assert.NotNull(await state.GetProcessedEventAsync(Core.ScaleSets.ScaleSetId.Parse(id), "storm-1", CancellationToken.None));
    }
}
