using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.InMemory.Rollouts;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>One contract for every <see cref="IRolloutStore"/>: records round-trip, saves are conditional, one pool never has two unfinished rollouts.</summary>
public abstract class RolloutStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken Ct = CancellationToken.None;

    protected abstract IRolloutStore Store { get; }

    private static ScaleSetId Pool(string name = "pool-a") =>
        ScaleSetId.Create("4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "Rg-Pools", name);

    private static Rollout NewRollout(ScaleSetId? pool = null, DateTimeOffset? at = null) => new()
    {
        RolloutId = Rollout.NewId(at ?? T0),
        PoolId = pool ?? Pool(),
        BatchSize = 2,
        Trigger = "http",
        RequestedAt = at ?? T0,
        Batches =
        [
            new RolloutBatch(0, ["0", "1"], ["0", "1"]),
            new RolloutBatch(1, ["2"], []) { Step = BatchStep.Deallocated, StartedAt = T0.AddMinutes(1) },
        ],
        Skipped = [new SkippedInstance("3", "protected from scale-set actions: never touched")],
    };

    [Fact]
    public async Task StartAsync_ThenGet_RoundTripsEveryField()
    {
        var rollout = NewRollout();

        var started = await Store.StartAsync(rollout, Ct);
        var read = await Store.GetAsync(rollout.RolloutId, Ct);

        Assert.NotNull(started.Version);
        Assert.Equal(started.Version, read!.Version);
        AssertSame(rollout, read);
    }

    [Fact]
    public async Task GetAsync_Unknown_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Rollout.NewId(T0), Ct));
        Assert.Null(await Store.GetActiveAsync(Pool("nothing"), Ct));
        Assert.Null(await Store.GetLatestAsync(Pool("nothing"), Ct));
    }

    [Fact]
    public async Task StartAsync_PoolWithAnUnfinishedRollout_ThrowsInProgressNamingIt()
    {
        var first = await Store.StartAsync(NewRollout(), Ct);

        var failure = await Assert.ThrowsAsync<RolloutInProgressException>(() => Store.StartAsync(NewRollout(at: T0.AddMinutes(5)), Ct));

        Assert.Equal(first.RolloutId, failure.Active!.RolloutId);
        Assert.Equal(first.RolloutId, (await Store.GetActiveAsync(Pool(), Ct))!.RolloutId);
    }

    [Fact]
    public async Task StartAsync_PoolIdDiffersOnlyInCase_IsTheSamePool()
    {
        await Store.StartAsync(NewRollout(), Ct);
        var other = NewRollout(ScaleSetId.Create("4C1D2E3F-5A6B-4C7D-8E9F-0A1B2C3D4E5F", "rg-pools", "POOL-A"));

        await Assert.ThrowsAsync<RolloutInProgressException>(() => Store.StartAsync(other, Ct));
    }

    [Fact]
    public async Task StartAsync_ConcurrentStartsForOnePool_ExactlyOneWins()
    {
        var attempts = Enumerable.Range(0, 8).Select(i => NewRollout(at: T0.AddSeconds(i))).ToList();

        var results = await Task.WhenAll(attempts.Select(async r =>
        {
            try
            {
                await Store.StartAsync(r, Ct);
                return true;
            }
            catch (Exception e) when (e is RolloutInProgressException or ConcurrencyConflictException)
            {
                return false;
            }
        }));

        Assert.Equal(1, results.Count(won => won));
    }

    [Fact]
    public async Task StartAsync_OtherPool_IsIndependent()
    {
        await Store.StartAsync(NewRollout(), Ct);

        var other = await Store.StartAsync(NewRollout(Pool("pool-b")), Ct);

        Assert.NotNull(other.Version);
    }

    [Fact]
    public async Task SaveAsync_Finished_FreesThePoolForTheNextRollout()
    {
        var first = await Store.StartAsync(NewRollout(), Ct);
        await Store.SaveAsync(first with { Status = RolloutStatus.Succeeded, EndedAt = T0.AddMinutes(10) }, Ct);

        var next = await Store.StartAsync(NewRollout(at: T0.AddMinutes(20)), Ct);

        Assert.Equal(next.RolloutId, (await Store.GetActiveAsync(Pool(), Ct))!.RolloutId);
        Assert.Equal(next.RolloutId, (await Store.GetLatestAsync(Pool(), Ct))!.RolloutId);
    }

    [Fact]
    public async Task SaveAsync_Progress_KeepsThePoolBusyAndChangesTheVersion()
    {
        var started = await Store.StartAsync(NewRollout(), Ct);
        var running = started with { Status = RolloutStatus.Running, StartedAt = T0.AddMinutes(1) };

        var saved = await Store.SaveAsync(running, Ct);

        Assert.NotEqual(started.Version, saved.Version);
        Assert.Equal(RolloutStatus.Running, (await Store.GetActiveAsync(Pool(), Ct))!.Status);
        await Assert.ThrowsAsync<RolloutInProgressException>(() => Store.StartAsync(NewRollout(at: T0.AddMinutes(2)), Ct));
    }

    [Fact]
    public async Task SaveAsync_StaleVersion_ThrowsConflictAndKeepsStored()
    {
        var started = await Store.StartAsync(NewRollout(), Ct);
        await Store.SaveAsync(started with { Status = RolloutStatus.Running }, Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SaveAsync(started with { Status = RolloutStatus.Failed, Error = "late" }, Ct));

        Assert.Equal(RolloutStatus.Running, (await Store.GetAsync(started.RolloutId, Ct))!.Status);
    }

    [Fact]
    public async Task GetLatestAsync_SeveralFinished_ReturnsTheMostRecent()
    {
        for (var i = 0; i < 3; i++)
        {
            var started = await Store.StartAsync(NewRollout(at: T0.AddHours(i)), Ct);
            await Store.SaveAsync(started with { Status = RolloutStatus.Failed, Error = $"run {i}" }, Ct);
        }

        var latest = await Store.GetLatestAsync(Pool(), Ct);

        Assert.Equal("run 2", latest!.Error);
        Assert.Null(await Store.GetActiveAsync(Pool(), Ct));
    }

    private static void AssertSame(Rollout expected, Rollout actual)
    {
        Assert.Equal(expected.RolloutId, actual.RolloutId);
        Assert.Equal(expected.PoolId, actual.PoolId);
        Assert.Equal(expected.PoolId.Value, actual.PoolId.Value);
        Assert.Equal((expected.BatchSize, expected.Trigger, expected.RequestedAt, expected.Status), (actual.BatchSize, actual.Trigger, actual.RequestedAt, actual.Status));
        Assert.Equal(expected.Batches.Count, actual.Batches.Count);
        for (var i = 0; i < expected.Batches.Count; i++)
        {
            var (e, a) = (expected.Batches[i], actual.Batches[i]);
            Assert.Equal((e.Index, e.Step, e.StartedAt, e.FinishedAt, e.Error), (a.Index, a.Step, a.StartedAt, a.FinishedAt, a.Error));
            Assert.Equal(e.InstanceIds, a.InstanceIds);
            Assert.Equal(e.Running, a.Running);
        }

        Assert.Equal(expected.Skipped, actual.Skipped);
    }
}

public sealed class InMemoryRolloutStoreTests : RolloutStoreContract
{
    protected override IRolloutStore Store { get; } = new InMemoryRolloutStore();
}

[Collection(AzuriteCollection.Name)]
public sealed class TableRolloutStoreTests : RolloutStoreContract, IAsyncLifetime
{
    private readonly TableServiceClient _service = new(AzuriteFixture.ConnectionString);
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();

    public TableRolloutStoreTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        Store = new TableRolloutStore(_service, Options.Create(new StateOptions { TablePrefix = _prefix }));
    }

    protected override IRolloutStore Store { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _service.DeleteTableAsync(_prefix + TableRolloutStore.TableSuffix);
}
