using System.Runtime.CompilerServices;
using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;
using AnFunctions.Core.Tests.Events;
using AnFunctions.InMemory.Audit;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.Rollouts;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Audit;

/// <summary>
/// The fleet audit as the app composes it (audit, sweeper, reconciler, node check, refused-write handler, finding
/// engine) over in-memory stores, with the ARM, index, subscription, Activity Log and catalog ports substituted and a
/// fixed clock. ARM port calls count on <see cref="ArmCallMeter"/> by the kind the adapters name them, and state-store
/// calls on <see cref="TableCallMeter"/> by method, so a run's figures can be pinned.
/// </summary>
internal sealed class AuditHarness
{
    /// <param name="conflicts">A finding store that refuses saves as conflicts (its inner store is <see cref="Findings"/>).</param>
    public AuditHarness(Alerts.ConflictingFindingStore? conflicts = null)
    {
        Findings = conflicts?.Inner ?? new InMemoryFindingStore();
        IFindingStore findings = conflicts is null ? Findings : conflicts;
        Arm.ListAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(c => ListingAsync(c.Arg<string>(), c.Arg<CancellationToken>()));
        Arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).Returns(c =>
        {
            ArmCallMeter.Record("GetScaleSet");
            var id = c.Arg<ScaleSetId>();
            if (GetFailure is { } failure)
            {
                throw failure;
            }

            return Current.TryGetValue(id.Key, out var current) ? current : Listings.Values.SelectMany(l => l).Select(i => i.ScaleSet).FirstOrDefault(s => s?.Id.Key == id.Key);
        });
        Arm.ListInstancesAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            ArmCallMeter.Record("ListInstances");
            return InstanceFailure is { } failure ? throw failure : Instances;
        });
        Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            ArmCallMeter.Record("PatchScaleSet");
            return SendFailure is { } failure ? throw failure : new WriteAccepted(200, null, "Succeeded");
        });
        Arm.GetOperationAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            ArmCallMeter.Record("GetOperation");
            return OperationStatus.Succeeded;
        });
        Catalogs.GetAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            ArmCallMeter.Record("ListSkus");
            return CatalogFailure is { } failure ? throw failure : TestData.Catalog();
        });
        Subscriptions.ListAsync(Arg.Any<CancellationToken>()).Returns(_ => SubscriptionsAsync());
        Index.ListAsync(Arg.Any<IReadOnlyList<string>>(), Arg.Any<CancellationToken>()).Returns(c => IndexAsync(c.Arg<IReadOnlyList<string>>()));
        State = new AuditStateStore(new CountingStateStore(Memory));
        var settings = CoreWiring.Monitor(Settings);
        var audit = CoreWiring.Monitor(AuditSettings);
        Engine = CoreWiring.Engine(findings, Time, EngineLog);
        var reconciler = CoreWiring.Reconciler(Arm, Catalogs, State, Engine, settings, Time);
        var nodes = new NodeCheck(Arm, State, Engine, audit, Time);
        Sweeper = new AuditSweeper(Arm, State, findings, Engine, reconciler, nodes, Catalogs, settings, Time, NullLogger<AuditSweeper>.Instance);
        var refused = new RefusedWriteHandler(Arm, Catalogs, ActivityLog, findings, Engine, Time, NullLogger<RefusedWriteHandler>.Instance);
        Audit = new FleetAudit(Arm, Index, Subscriptions, Sweeper, refused, Runs, settings, audit, Time, NullLogger<FleetAudit>.Instance);
    }

    public AcceleratedNetworkingOptions Settings { get; } = new();

    public AuditOptions AuditSettings { get; } = new() { SubscriptionConcurrency = 1 };

    public IScaleSetClient Arm { get; } = Substitute.For<IScaleSetClient>();

    public IScaleSetIndex Index { get; } = Substitute.For<IScaleSetIndex>();

    public ISubscriptionSource Subscriptions { get; } = Substitute.For<ISubscriptionSource>();

    public IVmSizeCatalogProvider Catalogs { get; } = Substitute.For<IVmSizeCatalogProvider>();

    public IActivityLog ActivityLog { get; } = Substitute.For<IActivityLog>();

    public FakeTimeProvider Time { get; } = new(TestData.Now);

    public InMemoryStateStore Memory { get; } = new();

    public AuditStateStore State { get; }

    public InMemoryFindingStore Findings { get; }

    public InMemoryAuditRunStore Runs { get; } = new();

    public FindingEngine Engine { get; }

    /// <summary>The finding engine's log: the <c>FindingOpened</c> and <c>FindingResolved</c> lines the alert rule counts.</summary>
    public FakeLogger<FindingEngine> EngineLog { get; } = new();

    public AuditSweeper Sweeper { get; }

    public FleetAudit Audit { get; }

    /// <summary>What ARM lists, by subscription (as given: the audit lower-cases ids it learns).</summary>
    public Dictionary<string, List<ScaleSetListItem>> Listings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A listing that fails after the given number of items, by subscription.</summary>
    public Dictionary<string, (int After, Exception Error)> ListingFailures { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What <see cref="IScaleSetClient.GetAsync"/> answers when it differs from the listing (null: gone).</summary>
    public Dictionary<string, ScaleSetSnapshot?> Current { get; } = new(StringComparer.Ordinal);

    /// <summary>The subscriptions the identity sees (no configured scope), in the order the source gives them.</summary>
    public List<string> Visible { get; } = [];

    /// <summary>What the index (Resource Graph) answers, for every subscription at once.</summary>
    public List<ScaleSetListItem> IndexRows { get; } = [];

    public Exception? IndexFailure { get; set; }

    public Exception? SubscriptionsFailure { get; set; }

    /// <summary>Run once when the subscription source is asked (e.g. to move the clock within a run).</summary>
    public Func<Task>? OnSubscriptionsListed { get; set; }

    public Exception? GetFailure { get; set; }

    public Exception? SendFailure { get; set; }

    public Exception? CatalogFailure { get; set; }

    public Exception? InstanceFailure { get; set; }

    public IReadOnlyList<PoolInstance> Instances { get; set; } = TestData.Instances(3, an: true);

    public Task<AuditRun> RunAsync(AuditRequest? request = null, CancellationToken cancellationToken = default) =>
        Audit.RunAsync(request ?? new AuditRequest("test"), cancellationToken);

    /// <summary>Lists the scale set under its subscription, and returns it.</summary>
    public ScaleSetSnapshot List(ScaleSetSnapshot scaleSet)
    {
        Listed(scaleSet.Id.SubscriptionId).Add(ScaleSetListItem.Read(scaleSet));
        return scaleSet;
    }

    public List<ScaleSetListItem> Listed(string subscription)
    {
        if (!Listings.TryGetValue(subscription, out var list))
        {
            Listings[subscription] = list = [];
            Visible.Add(subscription);
        }

        return list;
    }

    /// <summary>A pool of 20 days (outside the new-pool window), named, listed, with AN as given.</summary>
    public ScaleSetSnapshot ListOld(string name, bool an = true, string size = "Standard_D4s_v3", string subscription = TestData.Subscription, string resourceGroup = "cluster-x1y2z") =>
        List(TestData.ScaleSet(size, an, TimeSpan.FromDays(20), subscription: subscription, name: name, resourceGroup: resourceGroup));

    /// <summary>Saves the record of a pool as an earlier run left it, and returns it as stored (with its version).</summary>
    public async Task<PoolRecord> RecordAsync(ScaleSetSnapshot scaleSet, Func<PoolRecord, PoolRecord>? change = null)
    {
        var record = TestData.Record(scaleSet) with { Version = null };
        return await Memory.SavePoolAsync(change is null ? record : change(record), CancellationToken.None);
    }

    public async Task<Finding> OpenAsync(FindingDraft draft, ScaleSetId pool, DateTimeOffset? seen = null) =>
        await Findings.SaveAsync(TestData.OpenFinding(draft, pool) with { FirstSeen = seen ?? TestData.Now.AddDays(-1), LastSeen = seen ?? TestData.Now.AddDays(-1) }, [], CancellationToken.None);

    public Task<PoolRecord?> PoolAsync(ScaleSetId id) => Memory.GetPoolAsync(id, CancellationToken.None);

    public async Task<List<Finding>> FindingsAsync(FindingStatus? status = null)
    {
        var list = new List<Finding>();
        await foreach (var finding in Findings.ListAsync(new FindingQuery(status), CancellationToken.None))
        {
            list.Add(finding);
        }

        return list.OrderBy(f => f.Id, StringComparer.Ordinal).ToList();
    }

    private async IAsyncEnumerable<ScaleSetListItem> ListingAsync(string subscription, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        ArmCallMeter.Record("ListScaleSets");
        var items = Listings.TryGetValue(subscription, out var list) ? list : [];
        var failure = ListingFailures.TryGetValue(subscription, out var f) ? f : ((int After, Exception Error)?)null;
        for (var i = 0; i < items.Count; i++)
        {
            if (failure is { } before && before.After == i)
            {
                throw before.Error;
            }

            cancellationToken.ThrowIfCancellationRequested();
            yield return items[i];
        }

        if (failure is { } after && after.After >= items.Count)
        {
            throw after.Error;
        }
    }

    private async IAsyncEnumerable<string> SubscriptionsAsync()
    {
        await Task.Yield();
        if (OnSubscriptionsListed is { } listed)
        {
            await listed();
        }

        if (SubscriptionsFailure is { } failure)
        {
            throw failure;
        }

        foreach (var subscription in Visible)
        {
            yield return subscription;
        }
    }

    private async IAsyncEnumerable<ScaleSetListItem> IndexAsync(IReadOnlyList<string> subscriptions)
    {
        await Task.Yield();
        ArmCallMeter.Record("ResourceGraphQuery");
        IndexedFor.Add(subscriptions);
        if (IndexFailure is { } failure)
        {
            throw failure;
        }

        foreach (var row in IndexRows)
        {
            yield return row;
        }
    }

    /// <summary>The subscriptions each index query asked for.</summary>
    public List<IReadOnlyList<string>> IndexedFor { get; } = [];
}

/// <summary>
/// The state store the audit writes to, recording the size of each batch it saves (records, decisions), able to run
/// something just before the next batched save (a race), or to fail its reads of a subscription (the store is down).
/// </summary>
internal sealed class AuditStateStore(CountingStateStore inner) : IStateStore
{
    public CountingStateStore Inner { get; } = inner;

    public List<int> PoolBatches { get; } = [];

    public List<int> DecisionBatches { get; } = [];

    /// <summary>Run once, before the next <see cref="SavePoolsAsync"/>.</summary>
    public Func<Task>? BeforeNextBatch { get; set; }

    /// <summary>When set, every single save of a record throws it (the batched saves do not).</summary>
    public Exception? SaveFailure { get; set; }

    /// <summary>What listing a subscription's records throws (null: nothing), by subscription.</summary>
    public Func<string?, Exception?> ListFailure { get; set; } = _ => null;

    public Task<PoolRecord?> GetPoolAsync(ScaleSetId id, CancellationToken cancellationToken) => Inner.GetPoolAsync(id, cancellationToken);

    public Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken) =>
        SaveFailure is { } failure ? throw failure : Inner.SavePoolAsync(record, cancellationToken);

    public Task<PoolRecord> SavePoolAsync(PoolWrite write, CancellationToken cancellationToken) =>
        SaveFailure is { } failure ? throw failure : Inner.SavePoolAsync(write, cancellationToken);

    public async Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken)
    {
        if (BeforeNextBatch is { } before)
        {
            BeforeNextBatch = null;
            await before();
        }

        PoolBatches.Add(writes.Count);
        return await Inner.SavePoolsAsync(writes, cancellationToken);
    }

    public IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, CancellationToken cancellationToken) =>
        ListFailure(subscriptionId) is { } failure ? throw failure : Inner.ListPoolsAsync(subscriptionId, cancellationToken);

    public Task<ProcessedEvent?> GetProcessedEventAsync(ScaleSetId pool, string eventId, CancellationToken cancellationToken) => Inner.GetProcessedEventAsync(pool, eventId, cancellationToken);

    public Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken) => Inner.MarkEventProcessedAsync(processed, cancellationToken);

    public Task AppendDecisionAsync(DecisionRecord decision, CancellationToken cancellationToken) => Inner.AppendDecisionAsync(decision, cancellationToken);

    public Task AppendDecisionsAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken cancellationToken)
    {
        DecisionBatches.Add(decisions.Count);
        return Inner.AppendDecisionsAsync(decisions, cancellationToken);
    }

    public Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken) => Inner.GetDecisionsAsync(id, max, cancellationToken);

    public Task AddRejectedEventAsync(RejectedEvent rejected, CancellationToken cancellationToken) => Inner.AddRejectedEventAsync(rejected, cancellationToken);

    public IAsyncEnumerable<RejectedEvent> ListRejectedEventsAsync(CancellationToken cancellationToken) => Inner.ListRejectedEventsAsync(cancellationToken);
}
