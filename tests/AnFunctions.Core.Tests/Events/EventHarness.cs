using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Events;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.Rollouts;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Events;

/// <summary>
/// The event path as the app composes it (handler, reconciler, refused-write handler, finding engine) over in-memory
/// stores, with the ARM, Activity Log and catalog ports substituted and a fixed clock. Every ARM port call counts on
/// <see cref="ArmCallMeter"/> and every state-store call on <see cref="TableCallMeter"/>, as the adapters do.
/// </summary>
internal sealed class EventHarness
{
    public EventHarness(ScaleSetSnapshot? scaleSet = null, ArmOptions? armOptions = null, AcceleratedNetworkingOptions? settings = null)
    {
        ScaleSet = scaleSet ?? TestData.ScaleSet(an: true);
        Arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).Returns(_ =>
        {
            ArmCallMeter.Record("get");
            return ScaleSet;
        });
        Arm.ListInstancesAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).Returns([]);
        Arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).Returns(new WriteAccepted(200, null, "Succeeded"));
        Arm.GetOperationAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(OperationStatus.Succeeded);
        Catalogs.GetAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(TestData.Catalog());
        State = new CountingStateStore(Memory);
        Engine = CoreWiring.Engine(Findings, Time);
        Reconciler = CoreWiring.Reconciler(Arm, Catalogs, State, Engine, CoreWiring.Monitor(settings ?? new AcceleratedNetworkingOptions()), Time, armOptions, Rollouts, RolloutQueue);
        Refused = new RefusedWriteHandler(Arm, Catalogs, ActivityLog, Findings, Engine, Time, NullLogger<RefusedWriteHandler>.Instance);
        Handler = new ScaleSetEventHandler(Reconciler, Refused, Engine, State, Time, Log);
    }

    /// <summary>What <see cref="IScaleSetClient.GetAsync"/> answers; null for a scale set that is gone.</summary>
    public ScaleSetSnapshot? ScaleSet { get; set; }

    public ScaleSetId Id => TestData.Id();

    public IScaleSetClient Arm { get; } = Substitute.For<IScaleSetClient>();

    public IVmSizeCatalogProvider Catalogs { get; } = Substitute.For<IVmSizeCatalogProvider>();

    public IActivityLog ActivityLog { get; } = Substitute.For<IActivityLog>();

    public FakeTimeProvider Time { get; } = new(TestData.Now);

    public InMemoryStateStore Memory { get; } = new();

    public CountingStateStore State { get; }

    public InMemoryFindingStore Findings { get; } = new();

    public FindingEngine Engine { get; }

    public PoolReconciler Reconciler { get; }

    public InMemoryRolloutStore Rollouts { get; } = new();

    public IRolloutQueue RolloutQueue { get; } = Substitute.For<IRolloutQueue>();

    public RefusedWriteHandler Refused { get; }

    public ScaleSetEventHandler Handler { get; }

    public FakeLogger<ScaleSetEventHandler> Log { get; } = new();

    public Task<EventOutcome> HandleAsync(ResourceEvent resourceEvent) => Handler.HandleAsync(resourceEvent, CancellationToken.None);

    public async Task<List<RejectedEvent>> RejectedAsync()
    {
        var list = new List<RejectedEvent>();
        await foreach (var rejected in Memory.ListRejectedEventsAsync(CancellationToken.None))
        {
            list.Add(rejected);
        }

        return list;
    }

    public static ResourceEvent Event(
        ResourceEventKind kind,
        string id = "evt-1",
        string? resourceUri = null,
        string? operation = "default",
        string? correlationId = "corr-1",
        string? eventType = null) => new()
        {
            Id = id,
            Kind = kind,
            EventType = eventType ?? kind switch
            {
                ResourceEventKind.WriteSuccess => "Microsoft.Resources.ResourceWriteSuccess",
                ResourceEventKind.WriteFailure => "Microsoft.Resources.ResourceWriteFailure",
                ResourceEventKind.WriteCancel => "Microsoft.Resources.ResourceWriteCancel",
                ResourceEventKind.DeleteSuccess => "Microsoft.Resources.ResourceDeleteSuccess",
                _ => "Microsoft.Resources.ResourceActionSuccess",
            },
            Schema = EventSchema.EventGrid,
            ResourceUri = resourceUri ?? TestData.Id().Value,
            OperationName = operation == "default"
                ? kind == ResourceEventKind.DeleteSuccess ? ScaleSetEventHandler.DeleteOperation : ScaleSetEventHandler.WriteOperation
                : operation,
            CorrelationId = correlationId,
            EventTime = TestData.Now,
        };
}

/// <summary>
/// The in-memory state store, counting each call by method (and on <see cref="TableCallMeter"/>, as the Table adapter
/// does), so that a test can say which writes an event cost. <see cref="Fail"/> makes every call throw.
/// </summary>
internal sealed class CountingStateStore(IStateStore inner) : IStateStore
{
    private readonly Dictionary<string, int> _calls = [];

    /// <summary>When set, every call throws it (the store is down, or a write lost a race).</summary>
    public Exception? Fail { get; set; }

    public int Calls(string method) => _calls.GetValueOrDefault(method);

    public Task<PoolRecord?> GetPoolAsync(ScaleSetId id, CancellationToken cancellationToken) =>
        Count(nameof(GetPoolAsync), () => inner.GetPoolAsync(id, cancellationToken));

    /// <summary>How many of the next pool saves lose a race (<see cref="ConcurrencyConflictException"/>) without being stored.</summary>
    public int PoolSaveConflicts { get; set; }

    /// <summary>Runs before each pool save with the save's number (1 for the first): e.g. another writer saving first.</summary>
    public Func<int, Task>? BeforePoolSave { get; set; }

    /// <summary>The first pool save (a write's intent) is stored; the <paramref name="conflicts"/> saves after it lose a race.</summary>
    public void LoseSavesAfterTheFirst(int conflicts) => BeforePoolSave = n =>
    {
        if (n == 2)
        {
            PoolSaveConflicts = conflicts;
        }

        return Task.CompletedTask;
    };

    public Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken) =>
        SavePoolAsync(new PoolWrite(record), cancellationToken);

    public Task<PoolRecord> SavePoolAsync(PoolWrite write, CancellationToken cancellationToken) =>
        Count(nameof(SavePoolAsync), async () =>
        {
            if (BeforePoolSave is { } before)
            {
                await before(Calls(nameof(SavePoolAsync))).ConfigureAwait(false);
            }

            if (PoolSaveConflicts > 0)
            {
                PoolSaveConflicts--;
                throw new ConcurrencyConflictException();
            }

            return await inner.SavePoolAsync(write, cancellationToken).ConfigureAwait(false);
        });

    public Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken) =>
        Count(nameof(SavePoolsAsync), () => inner.SavePoolsAsync(writes, cancellationToken));

    public IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, CancellationToken cancellationToken) =>
        Count(nameof(ListPoolsAsync), () => inner.ListPoolsAsync(subscriptionId, cancellationToken));

    public Task<ProcessedEvent?> GetProcessedEventAsync(ScaleSetId pool, string eventId, CancellationToken cancellationToken) =>
        Count(nameof(GetProcessedEventAsync), () => inner.GetProcessedEventAsync(pool, eventId, cancellationToken));

    public Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken) =>
        Count(nameof(MarkEventProcessedAsync), () => inner.MarkEventProcessedAsync(processed, cancellationToken));

    public Task AppendDecisionAsync(DecisionRecord decision, CancellationToken cancellationToken) =>
        Count(nameof(AppendDecisionAsync), () => inner.AppendDecisionAsync(decision, cancellationToken));

    public Task AppendDecisionsAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken cancellationToken) =>
        Count(nameof(AppendDecisionsAsync), () => inner.AppendDecisionsAsync(decisions, cancellationToken));

    public Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken) =>
        Count(nameof(GetDecisionsAsync), () => inner.GetDecisionsAsync(id, max, cancellationToken));

    public Task AddRejectedEventAsync(RejectedEvent rejected, CancellationToken cancellationToken) =>
        Count(nameof(AddRejectedEventAsync), () => inner.AddRejectedEventAsync(rejected, cancellationToken));

    public IAsyncEnumerable<RejectedEvent> ListRejectedEventsAsync(CancellationToken cancellationToken) =>
        Count(nameof(ListRejectedEventsAsync), () => inner.ListRejectedEventsAsync(cancellationToken));

    private T Count<T>(string method, Func<T> call)
    {
        _calls[method] = _calls.GetValueOrDefault(method) + 1;
        TableCallMeter.Record(method);
        if (Fail is { } failure)
        {
            throw failure;
        }

        return call();
    }
}
