using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.Tests.Audit;

/// <summary>
/// The audit writes a subscription's changed records in one batch, conditional on what it read before the listing.
/// A record someone else saved in between (an event for that pool) refuses its own save only: that pool is read and
/// decided again, one pool at a time, and the others keep their batched saves.
/// </summary>
public sealed class AuditSweepRaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Run_RecordSavedByAnEventMeanwhile_ThatPoolIsDecidedAgainAndTheOthersStayBatched()
    {
        var racing = new RacingStore(new InMemoryStateStore());
        await using var app = AppUnderTest.Create(now: Now, configure: s =>
        {
            s.RemoveAll<IStateStore>();
            s.AddSingleton<IStateStore>(racing);
        });
        app.Emulator.SetSkus(Fleet.StandardSkus());
        foreach (var name in new[] { "pool-a", "pool-b", "pool-c" })
        {
            app.Emulator.PutScaleSet(Fleet.ScaleSet(name, "Standard_D4s_v5", Now.AddDays(-20), an: false));
        }

        var audit = app.Get<FleetAudit>();
        await audit.RunAsync(new AuditRequest("test"), CancellationToken.None);
        foreach (var name in new[] { "pool-a", "pool-b", "pool-c" })
        {
            app.Emulator.ModifyScaleSet(Fleet.Id(name), s => s["sku"]!["name"] = "Standard_B2s");
        }

        // Between the audit's read and its batched save, an event records pool-b (a save with a later LastSeen).
        racing.Before = async inner =>
        {
            var b = await inner.GetPoolAsync(ScaleSetId.Parse(Fleet.Id("pool-b")), CancellationToken.None);
            await inner.SavePoolAsync(b! with { LastSeen = Now.AddMinutes(1) }, CancellationToken.None);
        };
        var gets = app.Emulator.Count(ArmCallKind.GetScaleSet);

        var run = await audit.RunAsync(new AuditRequest("test"), CancellationToken.None);

        Assert.Empty(run.Errors);
        Assert.Equal(1, racing.Conflicts); // pool-b's batched save, and only it
        Assert.Equal(1, app.Emulator.Count(ArmCallKind.GetScaleSet) - gets); // pool-b read again: its record is newer than the listing
        foreach (var name in new[] { "pool-a", "pool-b", "pool-c" })
        {
            var pool = await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(Fleet.Id(name)), CancellationToken.None);
            Assert.Equal(["Standard_B2s"], pool!.VmSizes);
        }

        var open = new List<Finding>();
        await foreach (var f in app.Get<IFindingStore>().ListAsync(new FindingQuery(FindingStatus.Open), CancellationToken.None))
        {
            open.Add(f);
        }

        Assert.Equal(3, open.Count(f => f.Kind == FindingKind.SizeChanged));
    }

    /// <summary>Runs <see cref="Before"/> once, just before the first batched save; counts the conflicts the batches report.</summary>
    private sealed class RacingStore(IStateStore inner) : DelegatingStateStore(inner)
    {
        public Func<IStateStore, Task>? Before { get; set; }

        public int Conflicts { get; private set; }

        public override async Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken)
        {
            if (Before is { } before)
            {
                Before = null;
                await before(Inner);
            }

            var results = await Inner.SavePoolsAsync(writes, cancellationToken);
            Conflicts += results.Count(r => r.Conflict is not null);
            return results;
        }
    }
}
