using AnFunctions.Core.Options;

namespace AnFunctions.Core.Decisions;

/// <summary>
/// What one run may do: send writes to ARM, or only decide and record, and how much it records. Resolved once per
/// reconcile by <see cref="RunModes.For"/> from what the call asks and <c>AcceleratedNetworking:DryRun</c>; the
/// <see cref="ReconcileResult"/> carries the mode the run had.
/// </summary>
public enum RunMode
{
    /// <summary>
    /// The normal run: decides, sends the write when one is due (a new pool on an AN-capable size with AN off), and
    /// records the pool, the decision and the findings.
    /// </summary>
    Apply,

    /// <summary>
    /// <c>AcceleratedNetworking:DryRun</c>, the app-wide dry-run: decides and records the pool, the decision and the
    /// findings as <see cref="Apply"/> does, but never writes to ARM. A write that is due is recorded as planned
    /// (<see cref="DecisionOutcome.WouldEnableAcceleratedNetworking"/>, reason <see cref="DecisionReason.DryRun"/>, with its body).
    /// </summary>
    Observe,

    /// <summary>
    /// One call's what-if (HTTP <c>"dryRun": true</c>, <c>an reconcile --dry-run</c>, explain): decides and records
    /// the decision row only. Never writes to ARM, never records or changes a pool, never opens or resolves a finding,
    /// and does not follow up an earlier write of the app's.
    /// </summary>
    Preview,
}

/// <summary>The one place a run's <see cref="RunMode"/> is resolved, and what each mode may do.</summary>
public static class RunModes
{
    /// <summary>
    /// The mode a run has: a call that asks for a <see cref="RunMode.Preview"/> gets one; otherwise
    /// <c>AcceleratedNetworking:DryRun</c> turns <see cref="RunMode.Apply"/> into <see cref="RunMode.Observe"/>. The
    /// setting only ever makes a run write less. Resolving a mode already resolved gives it back unchanged.
    /// </summary>
    public static RunMode For(AcceleratedNetworkingOptions settings, RunMode requested)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return requested switch
        {
            RunMode.Apply => settings.DryRun ? RunMode.Observe : RunMode.Apply,
            RunMode.Observe or RunMode.Preview => requested,
            _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "not a RunMode"),
        };
    }

    /// <summary>What a call asks for from its dry-run flag (HTTP <c>dryRun</c>, CLI <c>--dry-run</c>): a preview, or the normal run.</summary>
    public static RunMode Requested(bool preview) => preview ? RunMode.Preview : RunMode.Apply;

    /// <summary>Only <see cref="RunMode.Apply"/> sends writes to ARM.</summary>
    public static bool WritesToArm(this RunMode mode) => mode == RunMode.Apply;

    /// <summary><see cref="RunMode.Apply"/> and <see cref="RunMode.Observe"/> record the pool and its findings; a preview records only its decision.</summary>
    public static bool RecordsPool(this RunMode mode) => mode != RunMode.Preview;
}
