using AnFunctions.Core.Events;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Functions;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.Tests.Reliability;

/// <summary>Event Grid does not keep order, and an instance can die mid-way: the end state must not depend on either.</summary>
public sealed class OrderingAndCrashTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A new pool is created (event "create"), then resized by someone (event "update"). In order, each event is delivered
    /// right after its change; reversed, both changes happen first and "update" arrives before "create". Events carry no
    /// state: whatever the order, the app must act on what ARM holds when it handles each one.
    /// </summary>
    private static async Task<(bool An, int Writes, PoolRecord? Pool)> RunAsync(bool reversed)
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-order");
        var function = app.Create<ScaleSetEventsFunction>();
        void Resize() => app.Emulator.ModifyScaleSet(id, s => s["sku"]!["name"] = "Standard_D8s_v5");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-order", "Standard_D4s_v5", Now.AddMinutes(-1)));
        if (reversed)
        {
            Resize();
            await function.RunAsync(Fleet.WriteEvent(id, "update"), CancellationToken.None);
            await function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);
        }
        else
        {
            await function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);
            Resize();
            await function.RunAsync(Fleet.WriteEvent(id, "update"), CancellationToken.None);
        }

        var scaleSet = await app.Get<IScaleSetClient>().GetAsync(ScaleSetId.Parse(id), CancellationToken.None);
        return (scaleSet?.AcceleratedNetworkingOnAll ?? false, app.Emulator.Writes.Count(w => w.Status == 200),
            await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None));
    }

    [Fact]
    public async Task UpdateBeforeCreate_SameEndStateAsInOrder()
    {
        var inOrder = await RunAsync(reversed: false);
        var reversed = await RunAsync(reversed: true);

        Assert.Equal((true, 1), (inOrder.An, inOrder.Writes));
        Assert.Equal((inOrder.An, inOrder.Writes), (reversed.An, reversed.Writes));
        // The record follows the pool as it is, not the order its events came in.
        Assert.Equal(["Standard_D8s_v5"], inOrder.Pool!.VmSizes);
        Assert.Equal(["Standard_D8s_v5"], reversed.Pool!.VmSizes);
        Assert.True(inOrder.Pool.EnabledByApp && reversed.Pool.EnabledByApp);
    }

    [Fact]
    public async Task DeleteBeforeUpdate_SameEndStateAsInOrder()
    {
        async Task<(int Writes, int Processed, PoolStatus? Status)> Run(bool deleteFirst)
        {
            await using var app = AppUnderTest.Create(now: Now);
            app.Emulator.SetSkus(Fleet.StandardSkus());
            var id = Fleet.Id("pool-del");
            app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-del", "Standard_D4s_v5", Now.AddDays(-3)));
            await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "seen"), CancellationToken.None);
            app.Emulator.DeleteScaleSet(id);
            string[] events =
            [
                Fleet.WriteEvent(id, "update"),
                Fleet.WriteEvent(id, "delete", type: "Microsoft.Resources.ResourceDeleteSuccess", operation: "Microsoft.Compute/virtualMachineScaleSets/delete"),
            ];
            if (deleteFirst)
            {
                Array.Reverse(events);
            }

            foreach (var e in events)
            {
                await app.Create<ScaleSetEventsFunction>().RunAsync(e, CancellationToken.None);
            }

            var store = app.Get<IStateStore>();
            var processed = (await store.GetProcessedEventAsync(Core.ScaleSets.ScaleSetId.Parse(id), "update", CancellationToken.None) is null ? 0 : 1)
                + (await store.GetProcessedEventAsync(Core.ScaleSets.ScaleSetId.Parse(id), "delete", CancellationToken.None) is null ? 0 : 1);
            return (app.Emulator.Writes.Count, processed, (await store.GetPoolAsync(Core.ScaleSets.ScaleSetId.Parse(id), CancellationToken.None))?.Status);
        }

        var inOrder = await Run(deleteFirst: false);
        var reversed = await Run(deleteFirst: true);

        Assert.Equal((0, 2, PoolStatus.Deleted), inOrder);
        Assert.Equal(inOrder, reversed);
    }

    [Fact]
    public async Task CrashBetweenArmWriteAndStateWrite_RedeliveryConvergesWithoutASecondWriteAndKeepsEnabledByApp()
    {
        var crashing = new CrashOnceStore(new InMemoryStateStore(), r => r is { PendingWrite: null, EnabledByApp: true });
        await using var app = AppUnderTest.Create(now: Now, configure: s =>
        {
            s.RemoveAll<IStateStore>();
            s.AddSingleton<IStateStore>(crashing);
        });
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-crash");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-crash", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var function = app.Create<ScaleSetEventsFunction>();

        await Assert.ThrowsAsync<DeliveryRetryException>(() => function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None));
        Assert.Single(app.Emulator.Writes, w => w.Status == 200);
        // What the dead instance left: the write recorded as intended before it was sent.
        var dangling = await crashing.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.Equal(PendingWriteState.Intended, dangling!.PendingWrite!.State);
        app.Time.Advance(TimeSpan.FromSeconds(30));
        await function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);

        Assert.Single(app.Emulator.Writes);
        var pool = await crashing.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.NotNull(pool);
        Assert.True(pool.AcceleratedNetworking);
        Assert.True(pool.AcceleratedNetworkingAtCreation);
        Assert.True(pool.EnabledByApp);
        Assert.Null(pool.PendingWrite);
        Assert.NotNull(await crashing.GetProcessedEventAsync(ScaleSetId.Parse(id), "create", CancellationToken.None));
    }

    [Fact]
    public async Task CrashBetweenArmWriteAndStateWrite_NoRedelivery_TheAuditCompletesTheIntent()
    {
        var crashing = new CrashOnceStore(new InMemoryStateStore(), r => r is { PendingWrite: null, EnabledByApp: true });
        await using var app = AppUnderTest.Create(now: Now, configure: s =>
        {
            s.RemoveAll<IStateStore>();
            s.AddSingleton<IStateStore>(crashing);
        });
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-crash-audit");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-crash-audit", "Standard_D4s_v5", Now.AddMinutes(-1)));
        await Assert.ThrowsAsync<DeliveryRetryException>(() => app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None));
        app.Time.Advance(TimeSpan.FromMinutes(30));

        var run = await app.Get<Core.Audit.FleetAudit>().RunAsync(new Core.Audit.AuditRequest("test"), CancellationToken.None);

        Assert.Empty(run.Errors);
        Assert.Single(app.Emulator.Writes);
        var pool = await crashing.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.True(pool!.EnabledByApp);
        // Enabled when the write was recorded as intended (the instance died before it could say more).
        Assert.Equal(Now, pool.EnabledAt);
        Assert.Null(pool.PendingWrite);
    }

    [Fact]
    public async Task CrashAfterTheIntentBeforeTheWrite_RedeliverySendsTheWriteOnce()
    {
        // The instance died right after recording the intent: nothing reached ARM.
        var crashing = new CrashOnceStore(new InMemoryStateStore(), r => r is { PendingWrite.State: PendingWriteState.Intended }, afterSave: true);
        await using var app = AppUnderTest.Create(now: Now, configure: s =>
        {
            s.RemoveAll<IStateStore>();
            s.AddSingleton<IStateStore>(crashing);
        });
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-crash-early");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-crash-early", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var function = app.Create<ScaleSetEventsFunction>();

        await Assert.ThrowsAsync<DeliveryRetryException>(() => function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None));
        Assert.Empty(app.Emulator.Writes);

        // A redelivery while the intent is fresh leaves it to whoever recorded it (and comes again)...
        await Assert.ThrowsAsync<DeliveryRetryException>(() => function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None));
        Assert.Empty(app.Emulator.Writes);
        // ...and once it is older than a delivery can last, it is known to be dangling: the write goes out, once.
        app.Time.Advance(TimeSpan.FromSeconds(40));
        await function.RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);

        Assert.Single(app.Emulator.Writes, w => w.Status == 200);
        var pool = await crashing.GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None);
        Assert.True(pool!.EnabledByApp);
        Assert.Null(pool.PendingWrite);
    }

    /// <summary>
    /// The first pool save that matches fails as if the instance died there: before the save (the record is not
    /// written), or with <c>afterSave</c> right after it (the record is written, the caller never learns).
    /// </summary>
    private sealed class CrashOnceStore(IStateStore inner, Func<PoolRecord, bool> crashOn, bool afterSave = false) : DelegatingStateStore(inner)
    {
        private int _crashed;

        public override Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken) => SavePoolAsync(new PoolWrite(record), cancellationToken);

        public override async Task<PoolRecord> SavePoolAsync(PoolWrite write, CancellationToken cancellationToken)
        {
            var crash = crashOn(write.Record) && Interlocked.Exchange(ref _crashed, 1) == 0;
            if (crash && !afterSave)
            {
                throw new StateStoreUnavailableException("instance died");
            }

            var saved = await Inner.SavePoolAsync(write, cancellationToken);
            return crash ? throw new StateStoreUnavailableException("instance died") : saved;
        }

        /// <summary>Each write as <see cref="SavePoolAsync(PoolWrite, CancellationToken)"/>: the crash happens at the first matching record of the batch.</summary>
        public override async Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken)
        {
            var results = new List<PoolSaveResult>(writes.Count);
            foreach (var write in writes)
            {
                try
                {
                    results.Add(new PoolSaveResult(write.Record, await SavePoolAsync(write, cancellationToken), null));
                }
                catch (ConcurrencyConflictException e)
                {
                    results.Add(new PoolSaveResult(write.Record, null, e));
                }
            }

            return results;
        }
    }
}
