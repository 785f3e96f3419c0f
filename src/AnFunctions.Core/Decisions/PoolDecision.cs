using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Decisions;

/// <summary>The policy settings a decision depends on (a snapshot of the options) and the run's mode.</summary>
/// <param name="Mode">A write that is due is decided as sent only in <see cref="RunMode.Apply"/>; otherwise it is planned, not sent.</param>
public sealed record DecisionPolicy(TimeSpan NewPoolWindow, string OptOutTag, RunMode Mode, Func<string, bool> IsInScope, NodeSafetyPolicy? Safety = null)
{
    public NodeSafetyPolicy NodeSafety => Safety ?? NodeSafetyPolicy.Default;
}

/// <summary>Everything a decision is made from: freshly read state, what the app knows, and the clock.</summary>
/// <param name="Instances">The pool's instances when they were listed; null when not (the safety gate then assumes every instance of the capacity runs).</param>
public sealed record DecisionInput(
    ScaleSetSnapshot ScaleSet,
    PoolRecord? Record,
    AcceleratedNetworkingSupport Support,
    DecisionPolicy Policy,
    DateTimeOffset Now,
    IReadOnlyList<PoolInstance>? Instances = null);

/// <summary>
/// The decision about one scale set: what to do, why, and (for a write) the exact ARM write. Every <see cref="RunMode"/>
/// shares it: only <see cref="RunMode.Apply"/> sends <see cref="Write"/>.
/// </summary>
/// <param name="Nodes">What the write does (or would have done) to the running nodes, for a new pool that needs AN.</param>
public sealed record PoolDecision(DecisionOutcome Outcome, DecisionReason Reason, string Explanation, bool IsNewPool, ScaleSetWrite? Write, NodeImpact? Nodes = null)
{
    public bool WritesToArm => Outcome == DecisionOutcome.EnableAcceleratedNetworking;

    /// <summary>The safety gate stopped the write of a new pool that needs AN.</summary>
    public bool IsBlockedBySafety => Nodes is { Allowed: false };
}
