using AnFunctions.Core.Arm;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Logging;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Decisions;

/// <summary>
/// Re-reads a scale set, decides with <see cref="NewPoolDecider"/>, sends the write when one is due, and records the
/// pool and the decision. Idempotent: the write carries If-Match on the ETag read, so a concurrent or repeated run
/// either wins once or re-reads and finds nothing left to do.
/// </summary>
public sealed class PoolReconciler(
    IScaleSetClient scaleSets,
    IVmSizeCatalogProvider catalogs,
    IStateStore store,
    FindingEngine findings,
    Rollouts.RolloutStarter rollouts,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    TimeProvider time,
    ILogger<PoolReconciler> logger)
{
    /// <summary>How often a lost race (412 on the scale set, conflict on the pool record) is retried in one call.</summary>
    public const int MaxAttempts = 4;

    /// <summary>
    /// Once this call has sent the AN write, losing the record race to duplicates is retried longer: giving up would
    /// forget (with the call's memory) that the app enabled AN, which only this record can remember.
    /// </summary>
    public const int MaxAttemptsAfterWrite = 16;

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        if (!settings.IsInScope(request.Id.SubscriptionId))
        {
            // Out of scope is decided before any ARM call: the app does not even read what it may not manage.
            var outOfScope = new PoolDecision(DecisionOutcome.Skip, DecisionReason.OutOfScope,
                $"subscription {request.Id.SubscriptionId} is not in AcceleratedNetworking:Subscriptions", IsNewPool: false, Write: null);
            await RecordDecisionAsync(request, outOfScope, [], cancellationToken).ConfigureAwait(false);
            return new ReconcileResult(request.Id, outOfScope, WriteSent: false, Pool: null);
        }

        return await WithRetriesAsync(request, settings, first: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reconciles from a snapshot already read (the audit's listing): no extra GET unless a lost race forces a re-read.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, ScaleSetSnapshot snapshot, CancellationToken cancellationToken) =>
        await WithRetriesAsync(request, options.CurrentValue, snapshot, cancellationToken).ConfigureAwait(false);

    private async Task<ReconcileResult> WithRetriesAsync(ReconcileRequest request, AcceleratedNetworkingOptions settings, ScaleSetSnapshot? first, CancellationToken cancellationToken)
    {
        // A write sent by an earlier attempt of this same call (whose record save then lost a race) is still ours.
        var earlier = new SentWrite();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The record is read before the scale set: whatever write produced the record happened before this
                // read of ARM, so the snapshot is never older than the record it is compared with. A listing read
                // earlier (the audit's) is used only if no one recorded the pool since.
                var stored = await store.GetPoolAsync(request.Id, cancellationToken).ConfigureAwait(false);
                var listingStillFresh = first is not null && !(request.SnapshotReadAt is { } readAt && stored?.LastSeen > readAt);
                var scaleSet = attempt == 1 && listingStillFresh
                    ? first
                    : await scaleSets.GetAsync(request.Id, cancellationToken).ConfigureAwait(false);
                return await ReconcileOnceAsync(request, settings, scaleSet, stored, earlier, cancellationToken).ConfigureAwait(false);
            }
            catch (ArmRequestException e) when (e.IsPreconditionFailed && attempt < MaxAttempts)
            {
                Log.WritePreconditionFailed(logger, request.Id.Value, attempt);
            }
            catch (ConcurrencyConflictException) when (attempt < (earlier.At is null ? MaxAttempts : MaxAttemptsAfterWrite))
            {
                Log.PoolRecordConflict(logger, request.Id.Value, attempt);
            }
        }
    }

    private async Task<ReconcileResult> ReconcileOnceAsync(ReconcileRequest request, AcceleratedNetworkingOptions settings, ScaleSetSnapshot? scaleSet, PoolRecord? storedBefore, SentWrite earlier, CancellationToken cancellationToken)
    {
        if (scaleSet is null)
        {
            Log.ScaleSetGone(logger, request.Id.Value);
            var gone = new PoolDecision(DecisionOutcome.Skip, DecisionReason.ScaleSetGone,
                "the scale set does not exist in ARM (deleted, or never created): nothing to do", IsNewPool: false, Write: null);
            await RecordDecisionAsync(request, gone, [], cancellationToken).ConfigureAwait(false);
            return new ReconcileResult(request.Id, gone, WriteSent: false, Pool: storedBefore);
        }

        var (stored, record, _, support, decision, instances) = await EvaluateAsync(scaleSet, settings, request.Preview, storedBefore, instances: null, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        Log.DecisionMade(logger, request.Id.Value, decision.Outcome, decision.Reason, decision.Explanation);

        if (request.Preview)
        {
            await RecordDecisionAsync(request, decision, scaleSet.VmSizes, cancellationToken).ConfigureAwait(false);
            return new ReconcileResult(request.Id, decision, WriteSent: false, record);
        }

        if (decision.Outcome == DecisionOutcome.Retry || decision.IsBlockedBySafety)
        {
            // The pool is not recorded: a later event or audit inside the window must still see it as new (for a
            // blocked write: once the operator changed what the finding names, the next reconcile writes).
            await RecordDecisionAsync(request, decision, scaleSet.VmSizes, cancellationToken).ConfigureAwait(false);
            var blocked = decision.Nodes is { Allowed: false } nodes
                ? await findings.ApplyAsync(request.Id, NewPoolFindings([FindingTexts.WriteBlocked(scaleSet, nodes, settings.NewPoolWindow, Evidence(scaleSet, support, request, nodes, instances))]), cancellationToken).ConfigureAwait(false)
                : null;
            return new ReconcileResult(request.Id, decision, WriteSent: false, record, blocked);
        }

        var sent = false;
        if (decision.WritesToArm && decision.Write is { } write)
        {
            await scaleSets.SendAsync(write, cancellationToken).ConfigureAwait(false);
            sent = true;
            earlier.At = time.GetUtcNow();
            earlier.Instances = scaleSet.Capacity ?? 0;
            Log.AcceleratedNetworkingEnabled(logger, request.Id.Value, scaleSet.Capacity ?? 0);
        }

        var next = NextRecord(record, scaleSet, decision, sent, now, instances) with { Version = stored?.Version };
        if (!sent && earlier.At is { } enabledAt && !next.EnabledByApp)
        {
            // This call enabled AN in an earlier attempt; a concurrent delivery recorded the pool first, without knowing.
            next = next with
            {
                EnabledByApp = true,
                EnabledAt = enabledAt,
                AcceleratedNetworkingAtCreation = next.AcceleratedNetworkingAtCreation ?? true,
                AcceleratedNetworking = next.AcceleratedNetworking || scaleSet.AcceleratedNetworkingOnAll,
                InstancesNotOnLatestModel = next.InstancesNotOnLatestModel ?? earlier.Instances,
            };
        }

        var pool = await store.SavePoolAsync(next, cancellationToken).ConfigureAwait(false);
        await RecordDecisionAsync(request, decision, scaleSet.VmSizes, cancellationToken).ConfigureAwait(false);

        // An existing pool is never written to; what it has become is judged by the finding rules instead. So is a
        // pool AKS manages: the app never writes to it, but on-call still hears what it has become.
        var changes = FindingChanges.None;
        if (!decision.IsNewPool || decision.Reason == DecisionReason.AksManaged)
        {
            var observation = new PoolObservation(scaleSet, record, support,
                await findings.OpenFindingsAsync(request.Id, cancellationToken).ConfigureAwait(false),
                request.EventId, ClusterName.From(scaleSet.Tags));
            changes = await findings.ApplyAsync(request.Id,
                PoolFindingRules.Evaluate(observation, settings.AvailableButOffSeverity), cancellationToken).ConfigureAwait(false);
        }
        else if (sent)
        {
            // A new pool just written: a blocked write of before is resolved, and running nodes that kept their old
            // NICs (upgrade policy Manual) make a mixed pool, said at once rather than at the next audit.
            var mixed = instances is not null && decision.Nodes?.Kind == NodeImpactKind.ModelOnly && InstanceCounts.Of(instances) is { WithoutAcceleratedNetworking: > 0 } counts
                ? [FindingTexts.NodesWithoutAn(request.Id, scaleSet.Provisioner, counts, FindingSeverity.Info, Evidence(scaleSet, support, request, decision.Nodes, instances) with { AcceleratedNetworking = true })]
                : Array.Empty<FindingDraft>();
            changes = await findings.ApplyAsync(request.Id, NewPoolFindings(mixed), cancellationToken).ConfigureAwait(false);
            if (mixed.Length > 0 && settings.RolloutNewPools)
            {
                await StartRolloutAsync(request.Id, settings, instances!.Count, cancellationToken).ConfigureAwait(false);
            }
        }

        return new ReconcileResult(request.Id, decision, sent || earlier.At is not null, pool, changes, NewlyRecorded: stored is null);
    }

    /// <summary>
    /// The decision for a scale set as read, without sending, recording or logging anything: what "explain" shows. The
    /// same evaluation the reconcile runs, so the two never disagree.
    /// </summary>
    /// <param name="instances">The pool's instances when the caller listed them already (explain); otherwise they are
    /// listed only when the decision needs them: a new pool that needs AN and has instances.</param>
    public async Task<PoolEvaluation> EvaluateAsync(ScaleSetSnapshot scaleSet, bool preview, IReadOnlyList<PoolInstance>? instances, CancellationToken cancellationToken) =>
        await EvaluateAsync(scaleSet, options.CurrentValue, preview,
            await store.GetPoolAsync(scaleSet.Id, cancellationToken).ConfigureAwait(false), instances, cancellationToken).ConfigureAwait(false);

    private async Task<PoolEvaluation> EvaluateAsync(ScaleSetSnapshot scaleSet, AcceleratedNetworkingOptions settings, bool preview, PoolRecord? stored, IReadOnlyList<PoolInstance>? instances, CancellationToken cancellationToken)
    {
        var record = SameIncarnation(stored, scaleSet) ? stored : null;
        var catalog = await catalogs.GetAsync(scaleSet.Id.SubscriptionId, scaleSet.Location, cancellationToken).ConfigureAwait(false);
        var support = AcceleratedNetworkingSupport.Evaluate(scaleSet, catalog);
        var policy = new DecisionPolicy(settings.NewPoolWindow, settings.OptOutTag, settings.DryRun || preview, settings.IsInScope, settings.NodeSafety);
        var input = new DecisionInput(scaleSet, record, support, policy, time.GetUtcNow(), instances);
        var decision = NewPoolDecider.Decide(input);
        if (instances is null && decision.Nodes is not null && (scaleSet.Capacity ?? 0) > 0)
        {
            // A new pool that needs AN and has instances: what a write does to them decides whether it may go. Decided
            // first from the capacity alone (all assumed running), then from the nodes' truth: one listing, only here.
            instances = await scaleSets.ListInstancesAsync(scaleSet.Id, cancellationToken).ConfigureAwait(false);
            decision = NewPoolDecider.Decide(input with { Instances = instances });
        }

        return new PoolEvaluation(stored, record, catalog, support, decision, instances);
    }

    /// <summary>
    /// <c>AcceleratedNetworking:RolloutNewPools</c>: the app brings the running nodes of a pool it has just enabled AN on
    /// onto the new model itself, in batches of MaxUnavailable. Best effort: the write is done and recorded, and the
    /// mixed-pool finding stays open to say what is left if the rollout cannot start.
    /// </summary>
    private async Task StartRolloutAsync(ScaleSetId id, AcceleratedNetworkingOptions settings, int instances, CancellationToken cancellationToken)
    {
        var batch = settings.NodeSafety.MaxUnavailable.InstancesOf(instances);
        if (batch < 1)
        {
            Log.NewPoolRolloutNotStarted(logger, id.Value, $"AcceleratedNetworking:MaxUnavailable {settings.NodeSafety.MaxUnavailable} allows no node of {instances} down");
            return;
        }

        try
        {
            var start = await rollouts.StartAsync(id, batch, dryRun: false, "app", cancellationToken).ConfigureAwait(false);
            if (start.Status != Rollouts.RolloutStartStatus.Accepted)
            {
                Log.NewPoolRolloutNotStarted(logger, id.Value, $"{start.Status} {start.Plan?.Explanation}");
            }
        }
        catch (Exception e) when (e is ArmRequestException or StateStoreUnavailableException or ConcurrencyConflictException)
        {
            Log.NewPoolRolloutNotStarted(logger, id.Value, e.Message);
        }
    }

    /// <summary>The findings a new pool's decision speaks for: a blocked write, and a mixed pool right after the write.</summary>
    private static FindingEvaluation NewPoolFindings(IReadOnlyList<FindingDraft> drafts) => new(drafts, NewPoolKinds);

    private static readonly IReadOnlySet<FindingKind> NewPoolKinds = new HashSet<FindingKind>
    {
        FindingKind.AcceleratedNetworkingWriteBlocked,
        FindingKind.NodesWithoutAcceleratedNetworking,
    };

    private static FindingEvidence Evidence(ScaleSetSnapshot scaleSet, AcceleratedNetworkingSupport support, ReconcileRequest request, NodeImpact? nodes, IReadOnlyList<PoolInstance>? instances) => new()
    {
        CurrentSizes = scaleSet.VmSizes,
        AcceleratedNetworking = scaleSet.AcceleratedNetworkingOnAll,
        SizeSupport = support.Describe(),
        EventIds = request.EventId is null ? [] : [request.EventId],
        Cluster = ClusterName.From(scaleSet.Tags),
        Location = scaleSet.Location,
        UpgradePolicy = (nodes?.UpgradePolicy ?? scaleSet.UpgradePolicy).ToString(),
        Nodes = instances is null ? null : InstanceCounts.Of(instances),
        Owner = scaleSet.Provisioner.Owner.ToString(),
    };

    /// <summary>
    /// A stored record describes this scale set unless the record is closed or the scale set was created again under
    /// the same id after the record's pool (a new node pool reusing a name is a new pool).
    /// </summary>
    private static bool SameIncarnation(PoolRecord? record, ScaleSetSnapshot scaleSet) =>
        record is not null
        && record.Status == PoolStatus.Active
        && !(record.TimeCreated is { } known && scaleSet.TimeCreated is { } current && current > known);

    private static PoolRecord NextRecord(PoolRecord? record, ScaleSetSnapshot scaleSet, PoolDecision decision, bool sent, DateTimeOffset now, IReadOnlyList<PoolInstance>? instances)
    {
        var anNow = sent || scaleSet.AcceleratedNetworkingOnAll;
        if (record is null)
        {
            return new PoolRecord
            {
                Id = scaleSet.Id,
                Location = scaleSet.Location,
                VmSizes = scaleSet.VmSizes,
                // Known only for a pool seen inside its creation window; unknown (null) for a pool first seen later.
                AcceleratedNetworkingAtCreation = decision.IsNewPool ? anNow : null,
                AcceleratedNetworking = anNow,
                TimeCreated = scaleSet.TimeCreated,
                FirstSeen = now,
                LastSeen = now,
                EnabledByApp = sent,
                EnabledAt = sent ? now : null,
                // The model changed, the instances did not: every existing instance needs a reimage or replacement.
                InstancesNotOnLatestModel = sent ? scaleSet.Capacity ?? 0 : null,
                // The nodes as listed before the write decided it (a write changes the model, not what the nodes run).
                Instances = instances is null ? null : InstanceCounts.Of(instances),
                InstancesCheckedAt = instances is null ? null : now,
            };
        }

        // The record follows the pool's size (the change itself is a finding); AN at creation never moves.
        return record with
        {
            Location = scaleSet.Location,
            VmSizes = scaleSet.VmSizes,
            AcceleratedNetworking = anNow,
            LastSeen = now,
            Status = PoolStatus.Active,
            DeletedAt = null,
        };
    }

    private Task RecordDecisionAsync(ReconcileRequest request, PoolDecision decision, IReadOnlyList<string> vmSizes, CancellationToken cancellationToken) =>
        // The audit passes every known pool every run: "still known, still untouched" is not news worth a row.
        request.Trigger == "audit" && decision.Reason is DecisionReason.ExistingPoolKnown or DecisionReason.AksManaged && !decision.IsNewPool
            ? Task.CompletedTask
            : store.AppendDecisionAsync(new DecisionRecord
        {
            PoolId = request.Id,
            At = time.GetUtcNow(),
            Outcome = decision.Outcome,
            Reason = decision.Reason,
            Explanation = decision.Explanation,
            Trigger = request.Trigger,
            EventId = request.EventId,
            VmSizes = vmSizes,
            WriteBody = decision.Write?.Body,
        }, cancellationToken);

    /// <summary>The write an attempt of one reconcile call sent, kept for the attempts after it.</summary>
    private sealed class SentWrite
    {
        public DateTimeOffset? At { get; set; }

        public long Instances { get; set; }
    }
}
