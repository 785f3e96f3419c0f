using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Reliability;

/// <summary>A snapshot read before someone else recorded the pool must not overwrite what they recorded.</summary>
public sealed class StaleSnapshotTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AuditListingOlderThanTheRecord_IsReadAgainAndRaisesNoFalseAnLost()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = ScaleSetId.Parse(Fleet.Id("pool-race"));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-race", "Standard_D4s_v5", Now.AddMinutes(-1)));

        // The audit lists (AN still off)...
        var listedAt = app.Time.GetUtcNow();
        var listing = await app.Get<IScaleSetClient>().GetAsync(id, CancellationToken.None);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        // ...meanwhile the creation event enables AN and records the pool...
        await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id.Value, "create"), CancellationToken.None);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        app.Emulator.ResetCounts();

        // ...then the audit reaches the pool with its stale listing.
        var result = await app.Get<PoolReconciler>().ReconcileAsync(new ReconcileRequest(id, ReconcileTrigger.Audit, SnapshotReadAt: listedAt), listing!, CancellationToken.None);

        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet));
        Assert.True(result.Pool!.AcceleratedNetworking);
        Assert.DoesNotContain(await app.Get<IFindingStore>().ListForPoolAsync(id, CancellationToken.None), f => f.Kind == FindingKind.AcceleratedNetworkingLost);
        Assert.True((await app.Get<IStateStore>().GetPoolAsync(id, CancellationToken.None))!.AcceleratedNetworking);
    }
}
