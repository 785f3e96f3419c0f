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
/// either wins once or re-reads and finds nothing left to do. The write is recorded as intended before it is sent and
/// its outcome after (<see cref="PendingWrite"/>): a short wait for its operation (<see cref="WriteFollowUp"/>), then
/// the next delivery or audit completes what is left, retries a transient failure while the pool is new, and turns a
/// failure that stands into a finding.
/// </summary>
public sealed class PoolReconciler(
    IScaleSetClient scaleSets,
    IVmSizeCatalogProvider catalogs,
    IStateStore store,
    FindingEngine findings,
    Rollouts.RolloutStarter rollouts,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    TimeProvider time,
    ILogger<PoolReconciler> logger,
    WriteFollowUp writes,
    IOptionsMonitor<ArmOptions> arm)
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
        request = request with { Mode = RunModes.For(settings, request.Mode) };
        if (!settings.IsInScope(request.Id.SubscriptionId))
        {
            // Out of scope is decided before any ARM call: the app does not even read what it may not manage.
            var outOfScope = new PoolDecision(DecisionOutcome.Skip, DecisionReason.OutOfScope,
                $"subscription {request.Id.SubscriptionId} is not in AcceleratedNetworking:Subscriptions", IsNewPool: false, Write: null);
            await RecordDecisionAsync(request, outOfScope, [], cancellationToken).ConfigureAwait(false);
            return new ReconcileResult(request.Id, outOfScope, WriteSent: false, Pool: null) { Mode = request.Mode };
        }

        return await WithRetriesAsync(request, settings, first: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reconciles from a snapshot already read (the audit's listing): no extra GET unless a lost race forces a re-read.
    /// </summary>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, ScaleSetSnapshot snapshot, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        return await WithRetriesAsync(request with { Mode = RunModes.For(settings, request.Mode) }, settings, snapshot, cancellationToken).ConfigureAwait(false);
    }

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
                var listingStillFresh = first is not null && !(request.SnapshotReadAt is { } readAt && stored?.LastSeen > readAt)
                    && (!request.FromIndex || Audit.IndexedRows.MayBeJudgedAsListed(first, stored));
                var fromListing = attempt == 1 && listingStillFresh;
                var scaleSet = fromListing
                    ? first
                    : await scaleSets.GetAsync(request.Id, cancellationToken).ConfigureAwait(false);
                if (request.FromIndex && !fromListing)
                {
                    Log.IndexedRowConfirmed(logger, request.Id.Value, attempt == 1 ? "the row does not agree with the pool's record" : "the row would raise an alarm");
                }

                return (await ReconcileOnceAsync(fromListing ? request : request with { FromIndex = false }, settings, scaleSet, stored, earlier, cancellationToken).ConfigureAwait(false)) with { Mode = request.Mode };
            }
            catch (IndexedRowNeedsArmException) when (attempt < MaxAttempts)
            {
                // Read from ARM on the next attempt and judged from that.
            }
            catch (ArmRequestException e) when (e.IsPreconditionFailed && attempt < MaxAttempts)
            {
                Log.WritePreconditionFailed(logger, request.Id.Value, attempt);
            }
            catch (ConcurrencyConflictException) when (attempt < (earlier.At is null ? MaxAttempts : MaxAttemptsAfterWrite))
            {
                Log.PoolRecordConflict(logger, request.Id.Value, attempt);
            }
            catch (RetryWriteException) when (attempt < MaxAttemptsAfterWrite)
            {
                // The write's operation failed transiently and the pool may still be new: read it again and decide again.
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

        // The app's own write of this pool, recorded earlier and not concluded: how it stands decides first.
        WriteVerdict? earlierFailure = null;
        if (request.Mode != RunMode.Preview && storedBefore is { PendingWrite: { } pending } && SameIncarnation(storedBefore, scaleSet))
        {
            var (concluded, verdict) = await FollowUpAsync(request, settings, scaleSet, storedBefore, pending, earlier, cancellationToken).ConfigureAwait(false);
            if (concluded is not null)
            {
                return concluded;
            }

            earlierFailure = verdict;
        }

        var (stored, record, _, support, decision, instances) = await EvaluateAsync(scaleSet, settings, request.Mode, storedBefore, instances: null, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        Log.DecisionMade(logger, request.Id.Value, decision.Outcome, decision.Reason, decision.Explanation);

        if (request.Mode != RunMode.Preview && earlierFailure is { } failure && decision.Reason == DecisionReason.ExistingPoolOutsideWindow && !scaleSet.AcceleratedNetworkingOnAll)
        {
            // The app's write failed (or never went out) and the pool may no longer be written: that failure stands.
            return await ConcludeFailedAsync(request, scaleSet, stored!, stored!.PendingWrite!, failure, support, cancellationToken).ConfigureAwait(false);
        }

        if (request.Mode == RunMode.Preview)
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

        if (request.FromIndex && decision.WritesToArm)
        {
            // Never written from an index row (it can lag, and carries no ETag to make the write conditional).
            throw new IndexedRowNeedsArmException();
        }

        if (decision.WritesToArm && decision.Write is { } write)
        {
            return await WriteAsync(request, settings, scaleSet, stored, write, decision, support, instances, earlier, cancellationToken).ConfigureAwait(false);
        }

        var next = NextRecord(record, scaleSet, decision, sent: false, now, instances) with { Version = stored?.Version };
        if (record is null && stored is { PendingWrite: not null })
        {
            // A record that held a write not concluded is replaced: the pool is recorded as it is now.
            next = next with { FirstSeen = stored.FirstSeen };
        }

        if (earlier.At is { } enabledAt && !next.EnabledByApp)
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

        // An existing pool is never written to; what it has become is judged by the finding rules instead. So is a
        // pool AKS manages: the app never writes to it, but on-call still hears what it has become.
        FindingEvaluation? evaluation = null;
        IReadOnlyList<Finding>? poolFindings = null;
        if (!decision.IsNewPool || decision.Reason == DecisionReason.AksManaged)
        {
            // Read once: judged from the open ones, merged with all of them.
            poolFindings = await findings.ForPoolAsync(request.Id, cancellationToken).ConfigureAwait(false);
            var open = poolFindings.Where(f => f.IsOpen).ToList();
            evaluation = PoolFindingRules.Evaluate(new PoolObservation(scaleSet, record, support, open, request.EventId, ClusterName.From(scaleSet.Tags)), settings.AvailableButOffSeverity);
            if (request.FromIndex && Audit.IndexedRows.RaisesAlarm(evaluation, open))
            {
                // On-call is never called on an index row alone: the pool is read from ARM and judged again.
                throw new IndexedRowNeedsArmException();
            }
        }

        // The findings first, then the record with its decision and the event's mark (one write): should the record's
        // save lose a race or fail, the findings are applied again (idempotent) by the next attempt or delivery, and an
        // event is marked handled only once everything it led to is written.
        var changes = FindingChanges.None;
        if (evaluation is not null)
        {
            changes = await findings.ApplyAsync(request.Id, evaluation, poolFindings, cancellationToken).ConfigureAwait(false);
        }
        else if (decision.Reason == DecisionReason.AlreadyEnabled && stored is { PendingWrite: not null })
        {
            // AN is on after all (someone else's write): a failed write of the app's own no longer matters.
            changes = await findings.ApplyAsync(request.Id, new FindingEvaluation([], WriteFailedOnly), cancellationToken).ConfigureAwait(false);
        }

        var pool = await store.SavePoolAsync(Final(request, next, decision, scaleSet.VmSizes), cancellationToken).ConfigureAwait(false);
        return new ReconcileResult(request.Id, decision, earlier.At is not null, pool, changes, NewlyRecorded: stored is null, EventMarked: request.Processed is not null);
    }

    /// <summary>
    /// The write of a new pool: recorded as intended first (the record is the pool's, conditional like any other, so
    /// two reconciles never both send it), then sent, then followed for a short bounded wait; its outcome decides the
    /// record and the findings.
    /// </summary>
    private async Task<ReconcileResult> WriteAsync(ReconcileRequest request, AcceleratedNetworkingOptions settings, ScaleSetSnapshot scaleSet, PoolRecord? stored, ScaleSetWrite write,
        PoolDecision decision, AcceleratedNetworkingSupport support, IReadOnlyList<PoolInstance>? instances, SentWrite earlier, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var previous = stored?.PendingWrite;
        // A write ARM refused (never accepted) is the same attempt again; a failed operation counts as one.
        var attempt = previous is null ? 1 : previous.AcceptedAt is null && previous.State == PendingWriteState.Failed ? previous.Attempt : previous.Attempt + 1;
        if (attempt > WriteFollowUp.MaxWriteAttempts)
        {
            return await ConcludeFailedAsync(request, scaleSet, stored!, previous!,
                new WriteVerdict(WriteProgress.Failed, previous!.ErrorCode, previous.ErrorMessage), support, cancellationToken).ConfigureAwait(false);
        }

        var intent = new PendingWrite { Id = Guid.NewGuid().ToString("N"), StartedAt = now, Attempt = attempt };
        var intended = NextRecord(null, scaleSet, decision, sent: false, now, instances) with
        {
            FirstSeen = stored is { PendingWrite: not null } ? stored.FirstSeen : now,
            AcceleratedNetworkingAtCreation = null,
            PendingWrite = intent,
            Version = stored?.Version,
        };
        // The intent and the decision behind it: one write.
        var saved = await store.SavePoolAsync(new PoolWrite(intended, DecisionRow(request, decision, scaleSet.VmSizes)), cancellationToken).ConfigureAwait(false);
        earlier.IntentId = intent.Id;

        WriteAccepted accepted;
        try
        {
            accepted = await scaleSets.SendAsync(write, cancellationToken).ConfigureAwait(false);
        }
        catch (ArmRequestException e)
        {
            // ARM answered and refused: the write did not happen. Without an answer its fate is unknown: the next look
            // at the pool tells (AN on: it happened).
            var code = e.Status == 0 ? PendingWrite.NoAnswer : e.ErrorCode ?? $"Http{e.Status}";
            var refused = saved with { PendingWrite = intent with { State = PendingWriteState.Failed, ErrorCode = code, ErrorMessage = e.Message } };
            saved = await store.SavePoolAsync(refused, cancellationToken).ConfigureAwait(false);
            if (!e.IsTransient && !e.IsPreconditionFailed)
            {
                // The event is refused (the caller marks it so), not handled: no mark with this save.
                await ConcludeFailedAsync(request with { Processed = null }, scaleSet, saved, saved.PendingWrite!,
                    new WriteVerdict(WriteProgress.Failed, saved.PendingWrite!.ErrorCode, e.Message), support, cancellationToken).ConfigureAwait(false);
            }

            throw;
        }

        var acceptedAt = time.GetUtcNow();
        earlier.At = acceptedAt;
        earlier.Instances = scaleSet.Capacity ?? 0;
        earlier.OperationUrl = accepted.OperationUrl;
        Log.AcceleratedNetworkingEnabled(logger, request.Id.Value, scaleSet.Capacity ?? 0);
        var sentIntent = intent with { State = PendingWriteState.Accepted, AcceptedAt = acceptedAt, OperationUrl = accepted.OperationUrl };
        var status = await writes.WaitAsync(accepted, cancellationToken).ConfigureAwait(false);
        var verdict = status.State == OperationState.Unknown
            ? WriteVerdict.InProgress
            : WriteFollowUp.Assess(sentIntent, scaleSet, status, time.GetUtcNow(), arm.CurrentValue.OperationTimeout, ours: true);
        Log.WriteOutcome(logger, request.Id.Value, attempt, verdict.Progress, verdict.ErrorCode);
        var concluded = await ConcludeAsync(request, settings, scaleSet, saved, sentIntent, verdict, decision, support, instances, sentNow: true, cancellationToken).ConfigureAwait(false);
        return concluded with { NewlyRecorded = stored is null };
    }

    /// <summary>
    /// A write recorded earlier and not concluded: asks its operation (or the pool) how it stands. Returns the result
    /// when that concludes the reconcile, or null (with the verdict) when the pool is to be decided again: the write
    /// never went out, or it failed transiently and may be sent again while the pool is new.
    /// </summary>
    private async Task<(ReconcileResult? Result, WriteVerdict Verdict)> FollowUpAsync(ReconcileRequest request, AcceleratedNetworkingOptions settings, ScaleSetSnapshot scaleSet,
        PoolRecord stored, PendingWrite pending, SentWrite earlier, CancellationToken cancellationToken)
    {
        var ours = pending.Id == earlier.IntentId;
        var url = pending.OperationUrl ?? (ours ? earlier.OperationUrl : null);
        var probe = ours && url is not null ? pending with { State = PendingWriteState.Accepted, OperationUrl = url, AcceptedAt = earlier.At } : pending;
        OperationStatus? status = null;
        if (probe.State == PendingWriteState.Accepted && url is not null)
        {
            try
            {
                status = await scaleSets.GetOperationAsync(url, cancellationToken).ConfigureAwait(false);
            }
            catch (ArmRequestException e) when (e.IsTransient)
            {
                // Throttled or failed: the pool itself says what it can.
                Log.EventTransientFailure(logger, request.EventId ?? request.Trigger.Name(), request.Id.Value, e.Message);
            }
        }

        var verdict = WriteFollowUp.Assess(probe, scaleSet, status, time.GetUtcNow(), arm.CurrentValue.OperationTimeout, ours);
        Log.WriteOutcome(logger, request.Id.Value, pending.Attempt, verdict.Progress, verdict.ErrorCode);
        // Decided again: a write that never went out, one ARM refused for a passing reason (a refusal for good was
        // concluded when it came; a refusal does not count as an attempt), and a transient failure while attempts remain.
        var refused = pending is { State: PendingWriteState.Failed, AcceptedAt: null };
        if (verdict.Progress is WriteProgress.NotSent
            || (verdict.Progress is WriteProgress.Failed && (refused || (verdict.Transient && pending.Attempt < WriteFollowUp.MaxWriteAttempts))))
        {
            return (null, verdict);
        }

        var support = AcceleratedNetworkingSupport.Evaluate(scaleSet,
            await catalogs.GetAsync(scaleSet.Id.SubscriptionId, scaleSet.Location, cancellationToken).ConfigureAwait(false));
        // This call's own write, sent by an earlier attempt whose record lost a race: still sent by this call (the
        // result says so, and a write still running is recorded as accepted with its operation, as right after sending).
        var sentByThisCall = ours && earlier.At is not null;
        var result = await ConcludeAsync(request, settings, scaleSet, stored, probe, verdict, decision: null, support, instances: null, sentNow: sentByThisCall, cancellationToken).ConfigureAwait(false);
        return (result, verdict);
    }

    /// <summary>Records what the write's outcome means: the pool enabled by the app, a write still under way, a retry, or a failure that stands.</summary>
    private async Task<ReconcileResult> ConcludeAsync(ReconcileRequest request, AcceleratedNetworkingOptions settings, ScaleSetSnapshot scaleSet, PoolRecord stored, PendingWrite pending,
        WriteVerdict verdict, PoolDecision? decision, AcceleratedNetworkingSupport support, IReadOnlyList<PoolInstance>? instances, bool sentNow, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (verdict.Progress)
        {
            case WriteProgress.Succeeded:
            {
                var enabledAt = pending.AcceptedAt ?? pending.StartedAt;
                var next = stored with
                {
                    PendingWrite = null,
                    AcceleratedNetworking = true,
                    AcceleratedNetworkingAtCreation = true,
                    EnabledByApp = true,
                    EnabledAt = enabledAt,
                    LastSeen = now,
                    // The model changed, the instances did not: every existing instance needs a reimage or replacement.
                    InstancesNotOnLatestModel = stored.InstancesNotOnLatestModel ?? scaleSet.Capacity ?? 0,
                };
                var concluded = decision ?? new PoolDecision(DecisionOutcome.NoChange, DecisionReason.WriteSucceeded,
                    $"the app's write (attempt {pending.Attempt}, accepted {Format(enabledAt)}) enabled AN on every network interface configuration", IsNewPool: true, Write: null);

                // A new pool just written: a blocked or failed write of before is resolved, and running nodes that kept
                // their old NICs (upgrade policy Manual) make a mixed pool, said at once rather than at the next audit.
                // The findings first, then the record (the write concluded, with the decision when this call follows up
                // an earlier write, and the event's mark): until the record says so, the write is followed up again.
                var mixed = instances is not null && decision?.Nodes?.Kind == NodeImpactKind.ModelOnly && InstanceCounts.Of(instances) is { WithoutAcceleratedNetworking: > 0 } counts
                    ? [FindingTexts.NodesWithoutAn(request.Id, scaleSet.Provisioner, counts, FindingSeverity.Info, Evidence(scaleSet, support, request, decision.Nodes, instances) with { AcceleratedNetworking = true })]
                    : Array.Empty<FindingDraft>();
                var evaluation = decision is null ? new FindingEvaluation([], WriteFailedOnly) : NewPoolFindings(mixed);
                var final = Final(request, next, decision is null ? concluded : null, scaleSet.VmSizes);
                FindingChanges changes;
                try
                {
                    changes = await findings.ApplyAsync(request.Id, evaluation, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is StateStoreUnavailableException or ConcurrencyConflictException)
                {
                    // The write is done: the record says so before the event comes again (without it, the redelivery
                    // would wait out the intent's lease); the mark is not written, and the audit's node check opens
                    // the mixed-pool finding should the redelivery not.
                    await store.SavePoolAsync(new PoolWrite(final.Record, final.Decision), cancellationToken).ConfigureAwait(false);
                    throw;
                }

                var pool = await store.SavePoolAsync(final, cancellationToken).ConfigureAwait(false);
                if (mixed.Length > 0 && settings.RolloutNewPools)
                {
                    await StartRolloutAsync(request.Id, settings, instances!.Count, cancellationToken).ConfigureAwait(false);
                }

                return new ReconcileResult(request.Id, concluded, sentNow, pool, changes, EventMarked: request.Processed is not null);
            }

            case WriteProgress.InProgress or WriteProgress.InFlightElsewhere:
            {
                var pool = stored;
                if (sentNow)
                {
                    // The operation outlived the wait: the record says so, and the next delivery or audit asks it again.
                    pool = await store.SavePoolAsync(stored with { PendingWrite = pending, LastSeen = now }, cancellationToken).ConfigureAwait(false);
                }

                // Another reconcile is sending the write: an event comes back later (a redelivery) to see it concluded.
                var waiting = decision ?? (verdict.Progress == WriteProgress.InFlightElsewhere
                    ? new PoolDecision(DecisionOutcome.Retry, DecisionReason.WriteInProgress,
                        $"another reconcile recorded the write of this new pool at {Format(pending.StartedAt)} and is sending it: look again once it has concluded", IsNewPool: true, Write: null)
                    : new PoolDecision(DecisionOutcome.NoChange, DecisionReason.WriteInProgress,
                        $"the app's write (attempt {pending.Attempt}) was accepted at {Format(pending.AcceptedAt ?? pending.StartedAt)} and its operation is still running: the next delivery or audit asks it again", IsNewPool: true, Write: null));
                if (decision is null)
                {
                    await RecordDecisionAsync(request, waiting, scaleSet.VmSizes, cancellationToken).ConfigureAwait(false);
                }

                return new ReconcileResult(request.Id, waiting, sentNow, pool);
            }

            case WriteProgress.Failed when verdict.Transient && pending.Attempt < WriteFollowUp.MaxWriteAttempts:
            {
                // Tried again at once (while the pool is new: the decision says), within what the caller may spend.
                await store.SavePoolAsync(stored with
                {
                    PendingWrite = pending with { State = PendingWriteState.Failed, ErrorCode = verdict.ErrorCode, ErrorMessage = verdict.ErrorMessage },
                    LastSeen = now,
                }, cancellationToken).ConfigureAwait(false);
                throw new RetryWriteException();
            }

            default:
                return await ConcludeFailedAsync(request, scaleSet, stored, pending, verdict, support, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A failure of the app's write that stands: the pool is recorded as it is (no AN, not enabled by the app) and a
    /// warning finding says what failed, with ARM's error, so on-call hears it now rather than from the next audit.
    /// </summary>
    private async Task<ReconcileResult> ConcludeFailedAsync(ReconcileRequest request, ScaleSetSnapshot scaleSet, PoolRecord stored, PendingWrite pending, WriteVerdict verdict,
        AcceleratedNetworkingSupport support, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var what = verdict.Progress == WriteProgress.NotSent
            ? "the write was recorded but never reached ARM, and the pool is no longer new"
            : pending.AcceptedAt is null && pending.State == PendingWriteState.Failed
                ? $"ARM refused the write ({verdict.ErrorCode}: {verdict.ErrorMessage})"
                : $"ARM accepted the write, then its operation failed ({verdict.ErrorCode}: {verdict.ErrorMessage}) after {pending.Attempt} attempt(s)";
        var next = stored with
        {
            PendingWrite = null,
            AcceleratedNetworking = scaleSet.AcceleratedNetworkingOnAll,
            AcceleratedNetworkingAtCreation = scaleSet.AcceleratedNetworkingOnAll,
            EnabledByApp = false,
            EnabledAt = null,
            LastSeen = now,
            Location = scaleSet.Location,
            VmSizes = scaleSet.VmSizes,
        };
        var decision = new PoolDecision(DecisionOutcome.Skip, DecisionReason.WriteFailed, $"new pool; enabling AN failed and will not be tried again: {what}", IsNewPool: true, Write: null);
        var evidence = Evidence(scaleSet, support, request, null, null) with
        {
            ErrorCode = verdict.ErrorCode,
            ErrorMessage = verdict.ErrorMessage,
            WriteAttempt = pending.Attempt,
        };
        // The finding first, then the record with the decision and the event's mark (see the other conclusions).
        var changes = await findings.ApplyAsync(request.Id, new FindingEvaluation([FindingTexts.WriteFailed(scaleSet, what, evidence)], WriteFailedOnly), cancellationToken).ConfigureAwait(false);
        var pool = await store.SavePoolAsync(Final(request, next, decision, scaleSet.VmSizes), cancellationToken).ConfigureAwait(false);
        Log.WriteFailedForGood(logger, request.Id.Value, pending.Attempt, verdict.ErrorCode, verdict.ErrorMessage);
        return new ReconcileResult(request.Id, decision, WriteSent: false, pool, changes, EventMarked: request.Processed is not null);
    }

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The decision for a scale set as read, without sending, recording or logging anything: what "explain" shows. The
    /// same evaluation the reconcile runs, so the two never disagree.
    /// </summary>
    /// <param name="instances">The pool's instances when the caller listed them already (explain); otherwise they are
    /// listed only when the decision needs them: a new pool that needs AN and has instances.</param>
    public async Task<PoolEvaluation> EvaluateAsync(ScaleSetSnapshot scaleSet, RunMode mode, IReadOnlyList<PoolInstance>? instances, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        return await EvaluateAsync(scaleSet, settings, RunModes.For(settings, mode),
            await store.GetPoolAsync(scaleSet.Id, cancellationToken).ConfigureAwait(false), instances, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="mode">The run's mode, resolved.</param>
    private async Task<PoolEvaluation> EvaluateAsync(ScaleSetSnapshot scaleSet, AcceleratedNetworkingOptions settings, RunMode mode, PoolRecord? stored, IReadOnlyList<PoolInstance>? instances, CancellationToken cancellationToken)
    {
        // A record that holds the app's own write not yet concluded does not make the pool an existing one.
        var record = SameIncarnation(stored, scaleSet) && stored!.PendingWrite is null ? stored : null;
        var catalog = await catalogs.GetAsync(scaleSet.Id.SubscriptionId, scaleSet.Location, cancellationToken).ConfigureAwait(false);
        var support = AcceleratedNetworkingSupport.Evaluate(scaleSet, catalog);
        var policy = new DecisionPolicy(settings.NewPoolWindow, settings.OptOutTag, mode, settings.IsInScope, settings.NodeSafety);
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
        FindingKind.AcceleratedNetworkingWriteFailed,
    };

    private static readonly IReadOnlySet<FindingKind> WriteFailedOnly = new HashSet<FindingKind> { FindingKind.AcceleratedNetworkingWriteFailed };

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
    internal static bool SameIncarnation(PoolRecord? record, ScaleSetSnapshot scaleSet) =>
        record is not null
        && record.Status == PoolStatus.Active
        && !(record.TimeCreated is { } known && scaleSet.TimeCreated is { } current && current > known);

    internal static PoolRecord NextRecord(PoolRecord? record, ScaleSetSnapshot scaleSet, PoolDecision decision, bool sent, DateTimeOffset now, IReadOnlyList<PoolInstance>? instances)
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

    /// <summary>The audit passes every known pool every run: "still known, still untouched" is not news worth a row.</summary>
    internal static bool IsWorthRecording(ReconcileTrigger trigger, PoolDecision decision) =>
        !(trigger == ReconcileTrigger.Audit && decision.Reason is DecisionReason.ExistingPoolKnown or DecisionReason.AksManaged && !decision.IsNewPool);

    private Task RecordDecisionAsync(ReconcileRequest request, PoolDecision decision, IReadOnlyList<string> vmSizes, CancellationToken cancellationToken) =>
        DecisionRow(request, decision, vmSizes) is { } row ? store.AppendDecisionAsync(row, cancellationToken) : Task.CompletedTask;

    /// <summary>The decision's row, or null when it is not worth one (<see cref="IsWorthRecording"/>).</summary>
    private DecisionRecord? DecisionRow(ReconcileRequest request, PoolDecision? decision, IReadOnlyList<string> vmSizes) =>
        decision is null || !IsWorthRecording(request.Trigger, decision)
            ? null
            : new DecisionRecord
            {
                PoolId = request.Id,
                At = time.GetUtcNow(),
                Outcome = decision.Outcome,
                Reason = decision.Reason,
                Explanation = decision.Explanation,
                Trigger = request.Trigger.Name(),
                EventId = request.EventId,
                VmSizes = vmSizes,
                WriteBody = decision.Write?.Body,
            };

    /// <summary>
    /// The reconcile's last write: the record, the decision (when worth a row) and, for an event, the mark that it was
    /// handled, all in one.
    /// </summary>
    private PoolWrite Final(ReconcileRequest request, PoolRecord record, PoolDecision? decision, IReadOnlyList<string> vmSizes) =>
        new(record, DecisionRow(request, decision, vmSizes), request.Processed is { } processed ? processed with { ProcessedAt = time.GetUtcNow() } : null);

    /// <summary>The write an attempt of one reconcile call sent, kept for the attempts after it.</summary>
    private sealed class SentWrite
    {
        public DateTimeOffset? At { get; set; }

        public long Instances { get; set; }

        /// <summary>The id of the intent this call recorded: a record holding it is this call's own write.</summary>
        public string? IntentId { get; set; }

        /// <summary>The status URL of the operation ARM started for this call's write.</summary>
        public string? OperationUrl { get; set; }
    }

    /// <summary>An index row cannot be judged as it is (a write is due, or on-call would be called): read the pool from ARM.</summary>
    private sealed class IndexedRowNeedsArmException : Exception
    {
        public IndexedRowNeedsArmException() : base("the index row must be confirmed from ARM") { }
    }

    /// <summary>The write's operation failed transiently and the pool is new: the reconcile reads and decides again.</summary>
    private sealed class RetryWriteException : Exception
    {
        public RetryWriteException() : base("the write's operation failed transiently") { }
    }
}
