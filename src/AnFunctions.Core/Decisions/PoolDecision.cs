using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Decisions;

/// <summary>The policy settings a decision depends on (a snapshot of the options).</summary>
public sealed record DecisionPolicy(TimeSpan NewPoolWindow, string OptOutTag, bool DryRun, Func<string, bool> IsInScope);

/// <summary>Everything a decision is made from: freshly read state, what the app knows, and the clock.</summary>
public sealed record DecisionInput(
    ScaleSetSnapshot ScaleSet,
    PoolRecord? Record,
    AcceleratedNetworkingSupport Support,
    DecisionPolicy Policy,
    DateTimeOffset Now);

/// <summary>
/// The decision about one scale set: what to do, why, and (for a write) the exact ARM write. Dry-run and the real
/// run share it: dry-run just does not send <see cref="Write"/>.
/// </summary>
public sealed record PoolDecision(DecisionOutcome Outcome, DecisionReason Reason, string Explanation, bool IsNewPool, ScaleSetWrite? Write)
{
    public bool WritesToArm => Outcome == DecisionOutcome.EnableAcceleratedNetworking;
}
