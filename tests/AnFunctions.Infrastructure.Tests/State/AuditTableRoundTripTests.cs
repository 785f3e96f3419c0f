using System.Text.Json.Nodes;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Tests.Reliability;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>
/// The audit's Table Storage round trips on Azurite, counted by the app's own meter (<see cref="AuditRun.TableCalls"/>):
/// per subscription the records and the open findings are read in a query each, and only what changed is written.
/// An audit that went back to per-pool round trips (read the record, read the findings, save the record) makes
/// hundreds here instead of a handful.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AuditTableRoundTripTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Subscription = "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c";
    private const int Pools = 250;
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => AzuriteFixture.DropTablesAsync(_prefix);

    [Fact]
    public async Task RunAsync_SteadyState_ReadsEachPartitionOnceAndWritesNothing()
    {
        Assert.NotNull(azurite);
        var (emulator, services) = Fleet();
        await using var _ = services;
        var audit = services.GetRequiredService<FleetAudit>();
        var first = await audit.RunAsync(CancellationToken.None);
        Assert.Equal(AuditRunStatus.Completed, first.Status);
        Assert.Equal(Pools, first.PoolsRecorded);
        Assert.Equal(Pools, first.FindingsOpenedCount); // every pool: AN available but off

        var steady = await audit.RunAsync(CancellationToken.None);

        Assert.Equal(AuditRunStatus.Completed, steady.Status);
        Assert.Equal(0, steady.PoolsChanged);
        // One page of records, one of open findings, and the run's own first save.
        Assert.Equal(new Dictionary<string, int> { ["Query"] = 2, ["Replace"] = 1 }, steady.TableCalls);
        Assert.True(steady.TableCalls.Values.Sum() <= Budget(steady), $"{steady.TableCalls.Values.Sum()} round trips");
        var pool = await services.GetRequiredService<IStateStore>().GetPoolAsync(ScaleSetId.Parse(PoolId(0)), CancellationToken.None);
        Assert.Equal(first.Started, pool!.LastSeen, TimeSpan.FromSeconds(1)); // not rewritten to say it was seen again
        Assert.NotNull(emulator);
    }

    [Fact]
    public async Task RunAsync_FirstRun_RecordsEveryPoolWithItsDecisionInTransactionsNotOneRowAtATime()
    {
        Assert.NotNull(azurite);
        var (_, services) = Fleet();
        await using var __ = services;

        var first = await services.GetRequiredService<FleetAudit>().RunAsync(CancellationToken.None);

        Assert.Equal(Pools, first.PoolsRecorded);
        // 250 records with their 250 decisions ("existing pool, outside the new-pool window"): 500 rows of one
        // partition, 5 transactions; the 250 findings (info: no alert), 3 more. A decision written on its own (an
        // insert per pool, as when each pool's decisions were a partition of their own) would make 250 inserts.
        // Around them: the three tables created on first use, the run's record read and saved twice, the queries.
        Assert.Equal(new Dictionary<string, int> { ["CreateTable"] = 3, ["Query"] = 3, ["Read"] = 1, ["Replace"] = 2, ["Transaction"] = 8 }, first.TableCalls);
        var decisions = await services.GetRequiredService<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(PoolId(7)), 10, CancellationToken.None);
        Assert.Equal(Core.Decisions.DecisionReason.ExistingPoolOutsideWindow, Assert.Single(decisions).Reason);
    }

    [Fact]
    public async Task RunAsync_SomePoolsChanged_WritesOnlyThoseInBatches()
    {
        Assert.NotNull(azurite);
        var (emulator, services) = Fleet();
        await using var _ = services;
        var audit = services.GetRequiredService<FleetAudit>();
        await audit.RunAsync(CancellationToken.None);

        // Three pools resized to a size without AN support (the record and the findings change), two deleted.
        foreach (var i in new[] { 3, 70, 140 })
        {
            var scaleSet = emulator.GetScaleSet(PoolId(i))!.DeepClone().AsObject();
            scaleSet["sku"]!["name"] = "Standard_A2_v2";
            emulator.PutScaleSet(scaleSet);
        }

        emulator.DeleteScaleSet(PoolId(10));
        emulator.DeleteScaleSet(PoolId(200));
        var run = await audit.RunAsync(CancellationToken.None);

        Assert.Equal(AuditRunStatus.Completed, run.Status);
        Assert.Equal(5, run.PoolsChanged);
        Assert.Equal(2, run.PoolsClosed);
        Assert.Equal(5, run.FindingsResolvedCount); // AN available but off: no longer (resized) or pool gone
        Assert.True(run.TableCalls.Values.Sum() <= Budget(run), $"{Describe(run.TableCalls)}: more than 2 × pages + {run.PoolsChanged} changed pools + 1");
        // Records and findings of the changed pools, and of the closed ones: a transaction each; no per-pool read or save.
        Assert.Equal(new Dictionary<string, int> { ["Query"] = 2, ["Replace"] = 1, ["Transaction"] = 4 }, run.TableCalls);
        var findings = services.GetRequiredService<IFindingStore>();
        var open = new List<Finding>();
        await foreach (var finding in findings.ListAsync(new FindingQuery(FindingStatus.Open), CancellationToken.None))
        {
            open.Add(finding);
        }

        Assert.Equal(Pools - 5 + 3, open.Count); // the resized ones: a size change noted
        Assert.Equal(3, run.FindingsOpenedCount);
        Assert.All(open.Where(f => f.Kind != FindingKind.AcceleratedNetworkingAvailableButOff), f => Assert.Equal(FindingKind.SizeChanged, f.Kind));
        Assert.DoesNotContain(open, f => (f.PoolId.Value == PoolId(3) && f.Kind == FindingKind.AcceleratedNetworkingAvailableButOff) || f.PoolId.Value == PoolId(10));
        var closed = await services.GetRequiredService<IStateStore>().GetPoolAsync(ScaleSetId.Parse(PoolId(10)), CancellationToken.None);
        Assert.Equal(PoolStatus.Deleted, closed!.Status);
        var resized = await services.GetRequiredService<IStateStore>().GetPoolAsync(ScaleSetId.Parse(PoolId(3)), CancellationToken.None);
        Assert.Equal(["Standard_A2_v2"], resized!.VmSizes);
    }

    /// <summary>At most 2 × pages of records (records and findings, 1,000 a page) + changed pools + the run's first save.</summary>
    private static int Budget(AuditRun run) => (2 * ((Pools + 999) / 1000)) + run.PoolsChanged + 1;

    private static string Describe(IReadOnlyDictionary<string, int> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));

    private (ArmEmulator Emulator, ServiceProvider Services) Fleet()
    {
        var clock = new VirtualClock(AzuriteApp.Now);
        var emulator = new ArmEmulator(clock) { RequestLogLimit = 0, Throttling = ArmThrottling.Off };
        emulator.SetSkus([AzuriteApp.AnSku(), NoAnSku()]);
        for (var i = 0; i < Pools; i++)
        {
            // Existing pools (created long before the new-pool window): the audit judges them and never writes to ARM.
            emulator.PutScaleSet(AzuriteApp.ScaleSet(PoolId(i), TimeSpan.FromDays(30)));
        }

        var services = AzuriteApp.Build(emulator, clock, AzuriteFixture.ConnectionString, _prefix,
            settings: new Dictionary<string, string?> { ["AcceleratedNetworking:Subscriptions"] = Subscription });
        return (emulator, services);
    }

    private static string PoolId(int i) => $"/subscriptions/{Subscription}/resourceGroups/k8s/providers/Microsoft.Compute/virtualMachineScaleSets/pool-{i:D4}";

    private static JsonObject NoAnSku() => new()
    {
        ["resourceType"] = "virtualMachines",
        ["name"] = "Standard_A2_v2",
        ["locations"] = new JsonArray("westeurope"),
        ["capabilities"] = new JsonArray(),
        ["restrictions"] = new JsonArray(),
    };
}
