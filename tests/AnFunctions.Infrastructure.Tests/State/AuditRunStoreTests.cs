using AnFunctions.Core.Audit;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.InMemory.Audit;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>One contract for audit run records, in memory and on Azurite.</summary>
public abstract partial class AuditRunStoreContract
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    protected abstract IAuditRunStore Store { get; }

    private static AuditRun Run(string id, DateTimeOffset started, AuditRunStatus status = AuditRunStatus.Completed, int findings = 3) => new()
    {
        RunId = id,
        Trigger = "test",
        Started = started,
        Ended = started.AddSeconds(4),
        Status = status,
        Subscriptions = [new SubscriptionAudit("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", 12, null), new SubscriptionAudit("1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e", 0, "HTTP 403 AuthorizationFailed")],
        PoolsSeen = 12,
        FindingsOpenedCount = findings,
        FindingsOpened = Enumerable.Range(0, findings).Select(i => $"fnd-{i:D24}").ToList(),
        ArmCalls = new Dictionary<string, int> { ["ListScaleSets"] = 2, ["ListSkus"] = 3 },
        Errors = ["1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e: HTTP 403 AuthorizationFailed"],
    };

    [Fact]
    public async Task Save_ThenGet_RoundTripsEveryField()
    {
        var run = Run("audit-1", Start);

        await Store.SaveAsync(run, CancellationToken.None);
        var stored = await Store.GetAsync("audit-1", CancellationToken.None);

        Assert.NotNull(stored);
        Assert.Equal(AuditReport.ToJson(run), AuditReport.ToJson(stored));
    }

    [Fact]
    public async Task Save_Twice_ReplacesTheRunningRecord()
    {
        await Store.SaveAsync(Run("audit-2", Start, AuditRunStatus.Running), CancellationToken.None);
        await Store.SaveAsync(Run("audit-2", Start, AuditRunStatus.CompletedWithErrors), CancellationToken.None);

        Assert.Equal(AuditRunStatus.CompletedWithErrors, (await Store.GetAsync("audit-2", CancellationToken.None))!.Status);
        Assert.Single(await Store.ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task Get_Unknown_IsNull()
    {
        Assert.Null(await Store.GetAsync("audit-none", CancellationToken.None));
    }

    [Fact]
    public async Task List_NewestFirst_AtMostMax()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.SaveAsync(Run($"audit-l{i}", Start.AddMinutes(i)), CancellationToken.None);
        }

        var runs = await Store.ListAsync(3, CancellationToken.None);

        Assert.Equal(["audit-l4", "audit-l3", "audit-l2"], runs.Select(r => r.RunId));
    }

    [Fact]
    public async Task Save_LargeRun_IsKeptWhole()
    {
        var run = Run("audit-big", Start, findings: AuditRun.MaxListedFindings) with
        {
            Errors = Enumerable.Range(0, 400).Select(i => $"pool-{i}: {new string('x', 150)}").ToList(),
        };

        await Store.SaveAsync(run, CancellationToken.None);

        Assert.Equal(AuditReport.ToJson(run), AuditReport.ToJson((await Store.GetAsync("audit-big", CancellationToken.None))!));
    }
}

public sealed class InMemoryAuditRunStoreTests : AuditRunStoreContract
{
    protected override IAuditRunStore Store { get; } = new InMemoryAuditRunStore();
}

[Collection(AzuriteCollection.Name)]
public sealed class TableAuditRunStoreTests : AuditRunStoreContract, IAsyncLifetime
{
    private readonly TableServiceClient _service = new(AzuriteFixture.ConnectionString);
    private readonly string _prefix = TableStateStoreTests.UniquePrefix();

    public TableAuditRunStoreTests(AzuriteFixture azurite)
    {
        ArgumentNullException.ThrowIfNull(azurite);
        Store = new TableAuditRunStore(_service, Options.Create(new StateOptions { TablePrefix = _prefix }));
    }

    protected override IAuditRunStore Store { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _service.DeleteTableAsync(_prefix + TableAuditRunStore.TableSuffix);
}
