using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Decisions;

/// <summary>Why and how a pool is reconciled.</summary>
/// <param name="Trigger">What asked for it: recorded with the decision.</param>
/// <param name="Mode">
/// What the call asks for: <see cref="RunMode.Apply"/> (the default) or a <see cref="RunMode.Preview"/>. The reconcile
/// resolves it once with <see cref="RunModes.For"/> (<c>AcceleratedNetworking:DryRun</c> turns Apply into
/// <see cref="RunMode.Observe"/>) and returns the mode the run had in <see cref="ReconcileResult.Mode"/>.
/// </param>
/// <param name="SnapshotReadAt">When a snapshot passed along with the request was read (the audit's listing): if the
/// pool was recorded after that, the snapshot may be stale and the scale set is read again.</param>
/// <param name="FromIndex">The snapshot is a row of an index that can lag ARM (Resource Graph): it is judged as it is
/// only when <see cref="Audit.IndexedRows"/> allows; a write, a disagreement with the record or an alarm makes the
/// reconcile read the scale set from ARM and decide again.</param>
/// <param name="Processed">For an event: the mark that it was handled, written with the reconcile's last save of the
/// pool's record when the reconcile concludes with one (then <see cref="ReconcileResult.EventMarked"/>); its time is
/// that of the save.</param>
public sealed record ReconcileRequest(ScaleSetId Id, ReconcileTrigger Trigger, string? EventId = null, RunMode Mode = RunMode.Apply, DateTimeOffset? SnapshotReadAt = null, bool FromIndex = false, ProcessedEvent? Processed = null);

/// <summary>The result of reconciling one pool: the decision, whether the write was sent, and the pool as recorded.</summary>
/// <param name="NewlyRecorded">This call created the pool's record (the app had none before).</param>
/// <param name="EventMarked">The request's event was marked handled with the pool's record (<see cref="ReconcileRequest.Processed"/>).</param>
public sealed record ReconcileResult(ScaleSetId Id, PoolDecision Decision, bool WriteSent, PoolRecord? Pool, FindingChanges? Findings = null, bool NewlyRecorded = false, bool EventMarked = false)
{
    /// <summary>The mode the run had (resolved from the request and <c>AcceleratedNetworking:DryRun</c>): what it was allowed to write and record.</summary>
    public RunMode Mode { get; init; }

    public bool IsRetry => Decision.Outcome == DecisionOutcome.Retry;
}

/// <summary>
/// What a decision was made from: the stored record (<paramref name="Record"/> only when it describes this incarnation
/// of the scale set), the SKU catalog read, the support verdict, and the decision.
/// </summary>
/// <param name="Instances">The pool's instances when they were listed for the decision (or given by the caller); null otherwise.</param>
public sealed record PoolEvaluation(PoolRecord? Stored, PoolRecord? Record, Skus.VmSizeCatalog Catalog, AcceleratedNetworkingSupport Support, PoolDecision Decision, IReadOnlyList<ScaleSets.PoolInstance>? Instances = null);
