using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Rollouts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;

namespace AnFunctions.Core.Tests;

/// <summary>The Core services as the app composes them, over the ports and stores a test gives: one wiring for every harness.</summary>
internal static class CoreWiring
{
    /// <summary>Options whose <c>CurrentValue</c> is <paramref name="value"/>: changing it is changing the app settings.</summary>
    public static IOptionsMonitor<T> Monitor<T>(T value)
    {
        var monitor = Substitute.For<IOptionsMonitor<T>>();
        monitor.CurrentValue.Returns(value);
        return monitor;
    }

    /// <summary>The finding engine without alert sinks.</summary>
    public static FindingEngine Engine(IFindingStore findings, TimeProvider time, ILogger<FindingEngine>? logger = null) =>
        new(findings, [], Monitor(new AlertsOptions()), time, logger ?? NullLogger<FindingEngine>.Instance);

    /// <summary>The reconciler with its rollout starter and write follow-up (rollouts in memory and a substituted queue unless given).</summary>
    public static PoolReconciler Reconciler(IScaleSetClient arm, IVmSizeCatalogProvider catalogs, IStateStore state, FindingEngine engine,
        IOptionsMonitor<AcceleratedNetworkingOptions> settings, TimeProvider time, ArmOptions? armOptions = null, IRolloutStore? rollouts = null, IRolloutQueue? queue = null)
    {
        var armSettings = Monitor(armOptions ?? new ArmOptions());
        var starter = new RolloutStarter(arm, catalogs, rollouts ?? new InMemoryRolloutStore(), queue ?? Substitute.For<IRolloutQueue>(), settings, time, NullLogger<RolloutStarter>.Instance);
        return new PoolReconciler(arm, catalogs, state, engine, starter, settings, time, NullLogger<PoolReconciler>.Instance, new WriteFollowUp(arm, armSettings, time), armSettings);
    }
}
