using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;
using AnFunctions.Core.Tests.Events;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.Rollouts;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Rollouts;

/// <summary>
/// The rollout path as the app composes it (starter, runner, node check, finding engine) over in-memory stores, with
/// the ARM port substituted by a small model of the pool's instances: deallocate takes them down, manualupgrade gives
/// them the model's AN (<see cref="UpgradeGivesAn"/>), start runs them. Every instance action is recorded in
/// <see cref="Actions"/> and moves the clock one minute, so each step's timestamp tells which step set it.
/// </summary>
internal sealed class RolloutHarness
{
    public RolloutHarness(int running = 2, int deallocated = 0)
    {
        foreach (var instance in TestData.Instances(running, deallocated))
        {
            Nodes[instance.InstanceId] = instance;
        }

        Arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).Returns(_ => ScaleSet);
        Arm.ListInstancesAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>())
            .Returns(_ => (IReadOnlyList<PoolInstance>)Nodes.Values.OrderBy(n => n.InstanceId, StringComparer.Ordinal).ToList());
        Arm.RunInstanceActionAsync(Arg.Any<ScaleSetId>(), Arg.Any<InstanceAction>(), Arg.Any<IReadOnlyList<string>>(), Arg.Any<CancellationToken>())
            .Returns(call => Act(call.ArgAt<InstanceAction>(1), call.ArgAt<IReadOnlyList<string>>(2)));
        Catalogs.GetAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(TestData.Catalog());
        Engine = CoreWiring.Engine(Findings, Time);
        var nodeCheck = new NodeCheck(Arm, Pools, Engine, CoreWiring.Monitor(new AuditOptions()), Time);
        Runner = new RolloutRunner(Arm, Store, Pools, nodeCheck, Time, NullLogger<RolloutRunner>.Instance);
        Starter = new RolloutStarter(Arm, Catalogs, Store, Queue, CoreWiring.Monitor(Settings), Time, NullLogger<RolloutStarter>.Instance);
    }

    public ScaleSetId Id => TestData.Id();

    /// <summary>What <see cref="IScaleSetClient.GetAsync"/> answers (a pool whose model has AN); null for one that is gone.</summary>
    public ScaleSetSnapshot? ScaleSet { get; set; } = TestData.ScaleSet(an: true, age: TimeSpan.FromDays(3));

    /// <summary>The pool's instances as ARM lists them, by id.</summary>
    public Dictionary<string, PoolInstance> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>What manualupgrade gives an instance's AN (the model's; false or null plays an upgrade that did not take).</summary>
    public bool? UpgradeGivesAn { get; set; } = true;

    /// <summary>When set, asked before each instance action; an exception it returns is thrown instead of acting.</summary>
    public Func<InstanceAction, IReadOnlyList<string>, Exception?>? Fault { get; set; }

    /// <summary>When set, called after each instance action took effect (a node that does not come back, or vanishes).</summary>
    public Action<InstanceAction>? After { get; set; }

    /// <summary>Every instance action asked of ARM, in order (those that threw too), as "Action id,id".</summary>
    public List<string> Actions { get; } = [];

    public IScaleSetClient Arm { get; } = Substitute.For<IScaleSetClient>();

    public IVmSizeCatalogProvider Catalogs { get; } = Substitute.For<IVmSizeCatalogProvider>();

    public IRolloutQueue Queue { get; } = Substitute.For<IRolloutQueue>();

    public AcceleratedNetworkingOptions Settings { get; } = new();

    public FakeTimeProvider Time { get; } = new(TestData.Now);

    public InMemoryRolloutStore Store { get; } = new();

    public InMemoryStateStore Pools { get; } = new();

    public InMemoryFindingStore Findings { get; } = new();

    public FindingEngine Engine { get; }

    public RolloutRunner Runner { get; }

    public RolloutStarter Starter { get; }

    /// <summary>A rollout of the pool, recorded as the starter records it (Queued, version set).</summary>
    public Task<Rollout> RecordAsync(params RolloutBatch[] batches) => Store.StartAsync(Rollout(batches), CancellationToken.None);

    /// <summary>The app's record of the pool (first stored, so without version), active unless said otherwise.</summary>
    public Task<PoolRecord> SavePoolAsync(PoolStatus status = PoolStatus.Active) =>
        Pools.SavePoolAsync(TestData.Record(ScaleSet!) with { Version = null, Status = status }, CancellationToken.None);

    public Rollout Rollout(params RolloutBatch[] batches) => new()
    {
        RolloutId = "rollout-20261125T100000Z-0123abcd",
        PoolId = Id,
        BatchSize = 1,
        Trigger = "http",
        RequestedAt = TestData.Now.AddMinutes(-5),
        Batches = batches,
    };

    public static RolloutBatch Batch(int index, string[] ids, string[]? running = null) => new(index, ids, running ?? ids);

    public static string Call(InstanceAction action, params string[] ids) => $"{action} {string.Join(",", ids)}";

    public Task<Rollout?> RunAsync(string rolloutId = "rollout-20261125T100000Z-0123abcd") => Runner.RunAsync(rolloutId, CancellationToken.None);

    private Task Act(InstanceAction action, IReadOnlyList<string> ids)
    {
        Actions.Add(Call(action, [.. ids]));
        Time.Advance(TimeSpan.FromMinutes(1));
        if (Fault?.Invoke(action, ids) is { } failure)
        {
            throw failure;
        }

        foreach (var id in ids)
        {
            if (!Nodes.TryGetValue(id, out var node))
            {
                continue;
            }

            Nodes[id] = action switch
            {
                InstanceAction.Deallocate => node with { PowerState = PowerState.Deallocated },
                InstanceAction.ManualUpgrade => node with { AcceleratedNetworking = UpgradeGivesAn, LatestModelApplied = true },
                _ => node with { PowerState = PowerState.Running },
            };
        }

        After?.Invoke(action);
        return Task.CompletedTask;
    }
}
