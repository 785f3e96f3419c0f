using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;
using AnFunctions.Core.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AnFunctions.Core.Audit;

/// <summary>
/// The audit of one subscription at a cost that follows pages and changes, not pools. It reads the subscription's pool
/// records (one partition query, pages of 1,000) and its open findings (one partition query) before the listing,
/// decides every listed pool in memory with the same rules as the per-pool path (<see cref="NewPoolDecider"/>,
/// <see cref="PoolFindingRules"/>, <see cref="FindingEngine.Plan"/>), and writes only what changed: records and
/// findings in entity-group transactions of up to 100 per partition, each decision worth a row with its pool's record
/// (or with the subscription's other decisions when the record does not change).
/// A pool that did not change is not written at all. What the in-memory path does not settle goes through the
/// per-pool path (<see cref="PoolReconciler"/>): a new pool (a write, the safety gate, a retry), a pool whose record
/// holds a write not concluded, and every pool whose batched write lost a race (it is then read and decided again).
/// Rows of an index that can lag ARM (Resource Graph) are decided in memory only when they agree with the record and
/// raise no alarm (<see cref="IndexedRows"/>); the others go the per-pool path, which reads them from ARM, and a
/// recorded pool missing from the rows is closed only when ARM answers 404.
/// </summary>
public sealed class AuditSweeper(
    IScaleSetClient scaleSets,
    IStateStore store,
    IFindingStore findingStore,
    FindingEngine findings,
    PoolReconciler reconciler,
    NodeCheck nodes,
    IVmSizeCatalogProvider catalogs,
    IOptionsMonitor<AcceleratedNetworkingOptions> options,
    TimeProvider time,
    ILogger<AuditSweeper> logger)
{
    private IScaleSetClient ScaleSets => scaleSets;
    private IStateStore Store => store;
    private IFindingStore FindingStore => findingStore;
    private FindingEngine Findings => findings;
    private PoolReconciler Reconciler => reconciler;
    private NodeCheck Nodes => nodes;
    private IVmSizeCatalogProvider Catalogs => catalogs;
    private IOptionsMonitor<AcceleratedNetworkingOptions> Options => options;
    private TimeProvider Time => time;
    private ILogger Logger => logger;

    /// <summary>Listed pools decided before their writes are made: bounds the memory a subscription takes.</summary>
    public const int ChunkSize = 1000;

    /// <summary>Reads the subscription's records and open findings (two queries, side by side): call it before the listing.</summary>
    /// <param name="indexReadAt">When the rows to come were read from an index that can lag ARM (Resource Graph), read
    /// before the records; null for ARM's listing, read after them.</param>
    public async Task<SubscriptionSweep> BeginAsync(string subscriptionId, AuditRequest request, DateTimeOffset? indexReadAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        ArgumentNullException.ThrowIfNull(request);
        var recordsTask = ReadRecordsAsync(subscriptionId, cancellationToken);
        var findingsTask = ReadOpenFindingsAsync(subscriptionId, cancellationToken);
        await Task.WhenAll(recordsTask, findingsTask).ConfigureAwait(false);
        return new SubscriptionSweep(this, subscriptionId, request, await recordsTask.ConfigureAwait(false), await findingsTask.ConfigureAwait(false), time.GetUtcNow(), indexReadAt);
    }

    private async Task<Dictionary<string, PoolRecord>> ReadRecordsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var records = new Dictionary<string, PoolRecord>(StringComparer.Ordinal);
        await foreach (var record in store.ListPoolsAsync(subscriptionId, cancellationToken).ConfigureAwait(false))
        {
            records[record.Id.Key] = record;
        }

        return records;
    }

    private async Task<Dictionary<string, List<Finding>>> ReadOpenFindingsAsync(string subscriptionId, CancellationToken cancellationToken)
    {
        var open = new Dictionary<string, List<Finding>>(StringComparer.Ordinal);
        await foreach (var finding in findingStore.ListAsync(new FindingQuery(FindingStatus.Open, SubscriptionId: subscriptionId), cancellationToken).ConfigureAwait(false))
        {
            if (!open.TryGetValue(finding.PoolId.Key, out var list))
            {
                list = [];
                open[finding.PoolId.Key] = list;
            }

            list.Add(finding);
        }

        return open;
    }

    /// <summary>One subscription's sweep: <see cref="AddAsync"/> each listed scale set, then <see cref="CompleteAsync"/>.</summary>
    public sealed class SubscriptionSweep
    {
        private readonly AuditSweeper _owner;
        private readonly string _subscriptionId;
        private readonly AuditRequest _request;
        private readonly Dictionary<string, PoolRecord> _records;
        private readonly Dictionary<string, List<Finding>> _open;
        private readonly HashSet<string> _listed = new(StringComparer.Ordinal);
        private readonly List<Planned> _planned = [];
        private readonly List<ScaleSetSnapshot> _perPool = [];
        private readonly SweepOutcome _outcome = new();
        private readonly DateTimeOffset? _indexReadAt;

        /// <summary>The listing is an index that can lag ARM (Resource Graph).</summary>
        private bool FromIndex => _indexReadAt is not null;

        internal SubscriptionSweep(AuditSweeper owner, string subscriptionId, AuditRequest request, Dictionary<string, PoolRecord> records, Dictionary<string, List<Finding>> open, DateTimeOffset readAt, DateTimeOffset? indexReadAt)
        {
            _indexReadAt = indexReadAt;
            _owner = owner;
            _subscriptionId = subscriptionId;
            _request = request;
            _records = records;
            _open = open;
            ReadAt = readAt;
        }

        /// <summary>When the records were read: the listing is younger than that.</summary>
        public DateTimeOffset ReadAt { get; }

        /// <summary>Open refused-write findings whose Activity Log entry was still missing (the audit completes them).</summary>
        public IEnumerable<Finding> PendingRefusedWrites =>
            _open.Values.SelectMany(f => f).Where(f => f.Kind == FindingKind.SizeChangeRefused && f.Evidence.ActivityLogPending);

        /// <summary>A listed pool the app could not read: it is still there, so its record is not closed as vanished.</summary>
        public void MarkListed(ScaleSetId id)
        {
            ArgumentNullException.ThrowIfNull(id);
            _listed.Add(id.Key);
        }

        /// <summary>Decides one listed scale set (in memory); its writes are made with those of its chunk.</summary>
        public async Task AddAsync(ScaleSetSnapshot scaleSet, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(scaleSet);
            _listed.Add(scaleSet.Id.Key);
            try
            {
                var planned = await PlanAsync(scaleSet, cancellationToken).ConfigureAwait(false);
                if (planned is null)
                {
                    _perPool.Add(scaleSet);
                }
                else
                {
                    _planned.Add(planned);
                }
            }
            catch (ArmRequestException e)
            {
                // The SKU list of its region could not be read: this pool fails, the others go on.
                _outcome.Fail(scaleSet.Id, e.Message);
            }

            if (_planned.Count + _perPool.Count >= ChunkSize)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Makes the writes left, and (when the listing was complete) closes the records of pools gone from Azure.
        /// </summary>
        /// <param name="listingComplete">False when the listing failed part-way: what was listed is audited, nothing is closed.</param>
        public async Task<SweepOutcome> CompleteAsync(bool listingComplete, CancellationToken cancellationToken)
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
            if (listingComplete && !_request.DryRun)
            {
                await CloseVanishedAsync(cancellationToken).ConfigureAwait(false);
            }

            _outcome.PendingRefusedWrites = PendingRefusedWrites.ToList();
            return _outcome;
        }

        /// <summary>The in-memory decision of a pool the per-pool path would only record and judge; null for the per-pool path.</summary>
        private async Task<Planned?> PlanAsync(ScaleSetSnapshot scaleSet, CancellationToken cancellationToken)
        {
            var owner = _owner;
            _records.TryGetValue(scaleSet.Id.Key, out var stored);
            if (stored is { PendingWrite: not null })
            {
                // The app's own write, not concluded: following it up (its operation, a retry, a failure) is the per-pool path's.
                return null;
            }

            if (FromIndex && !IndexedRows.MayBeJudgedAsListed(scaleSet, stored))
            {
                // The row disagrees with the record (it may be older): the per-pool path reads the pool from ARM.
                return null;
            }

            var record = PoolReconciler.SameIncarnation(stored, scaleSet) ? stored : null;
            var settings = owner.Options.CurrentValue;
            var catalog = await owner.Catalogs.GetAsync(scaleSet.Id.SubscriptionId, scaleSet.Location, cancellationToken).ConfigureAwait(false);
            var support = AcceleratedNetworkingSupport.Evaluate(scaleSet, catalog);
            var policy = new DecisionPolicy(settings.NewPoolWindow, settings.OptOutTag, RunModes.For(settings, RunModes.Requested(_request.DryRun)), settings.IsInScope, settings.NodeSafety);
            var now = owner.Time.GetUtcNow();
            var decision = NewPoolDecider.Decide(new DecisionInput(scaleSet, record, support, policy, now));
            Log.DecisionMade(owner.Logger, scaleSet.Id.Value, decision.Outcome, decision.Reason, decision.Explanation);
            if (decision.IsNewPool || decision.Write is not null || decision.Outcome == DecisionOutcome.Retry || decision.Nodes is not null)
            {
                // A new pool: the write, the safety gate and the retry are the per-pool path's.
                return null;
            }

            var decisionRow = PoolReconciler.IsWorthRecording(ReconcileTrigger.Audit, decision)
                ? new DecisionRecord
                {
                    PoolId = scaleSet.Id,
                    At = now,
                    Outcome = decision.Outcome,
                    Reason = decision.Reason,
                    Explanation = decision.Explanation,
                    Trigger = ReconcileTrigger.Audit.Name(),
                    VmSizes = scaleSet.VmSizes,
                }
                : null;
            if (_request.DryRun)
            {
                // Dry-run: the decision is recorded as the per-pool path records it, nothing else is written.
                return new Planned(scaleSet, stored, null, decisionRow, null, null);
            }

            var next = PoolReconciler.NextRecord(record, scaleSet, decision, sent: false, now, instances: null) with { Version = stored?.Version };
            var open = _open.GetValueOrDefault(scaleSet.Id.Key) ?? [];
            var evaluation = PoolFindingRules.Evaluate(
                new PoolObservation(scaleSet, record, support, open, EventId: null, ClusterName.From(scaleSet.Tags)), settings.AvailableButOffSeverity);
            if (FromIndex && IndexedRows.RaisesAlarm(evaluation, open))
            {
                // On-call is never called on an index row alone: the per-pool path reads the pool from ARM first.
                return null;
            }

            var plan = owner.Findings.Plan(scaleSet.Id, evaluation, open, skipUnchanged: true);
            var write = stored is null || !PoolRecordContent.Same(next, stored) ? next : null;
            return new Planned(scaleSet, stored, write, decisionRow, evaluation, plan);
        }

        private async Task FlushAsync(CancellationToken cancellationToken)
        {
            var planned = _planned.ToList();
            var perPool = _perPool.ToList();
            _planned.Clear();
            _perPool.Clear();
            var changed = new HashSet<string>(StringComparer.Ordinal);

            // 1. Records with their decisions, batched; a record that lost a race sends its pool down the per-pool path
            //    (read and decide again), its decision with it.
            var writes = planned.Where(p => p.Write is not null).ToList();
            var saved = await _owner.Store.SavePoolsAsync(writes.Select(p => new PoolWrite(p.Write!, p.DecisionRow)).ToList(), cancellationToken).ConfigureAwait(false);
            var lost = new HashSet<Planned>(ReferenceEqualityComparer.Instance);
            for (var i = 0; i < writes.Count; i++)
            {
                if (saved[i].Saved is { } pool)
                {
                    writes[i].Pool = pool;
                    changed.Add(pool.Id.Key);
                    if (writes[i].Stored is null)
                    {
                        _outcome.Recorded++;
                    }
                }
                else
                {
                    lost.Add(writes[i]);
                    perPool.Add(writes[i].ScaleSet);
                }
            }

            var kept = planned.Where(p => !lost.Contains(p)).ToList();

            // 2. Decisions worth a row whose record did not change, batched.
            await _owner.Store.AppendDecisionsAsync(kept.Where(p => p.Write is null && p.DecisionRow is not null).Select(p => p.DecisionRow!).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var p in kept.Where(p => p.DecisionRow is not null))
            {
                changed.Add(p.ScaleSet.Id.Key);
            }

            // 3. Findings, batched; a pool with a refused save merges again from what is stored (as an event would).
            await SaveFindingsAsync(kept.Where(p => p.Plan is { Saves.Count: > 0 }).Select(p => (p.ScaleSet.Id, p.Evaluation!, p.Plan!)).ToList(), changed, cancellationToken).ConfigureAwait(false);

            // 4. The nodes of pools the app enabled AN on whose nodes did not all run with it yet (their own listing).
            if (!_request.DryRun)
            {
                foreach (var p in kept.Where(p => (p.Pool ?? p.Stored) is { NeedsInstanceCheck: true }))
                {
                    await CheckNodesAsync(p.Pool ?? p.Stored!, p.ScaleSet, cancellationToken).ConfigureAwait(false);
                    changed.Add(p.ScaleSet.Id.Key);
                }
            }

            // 5. The per-pool path.
            foreach (var scaleSet in perPool)
            {
                await ReconcileAsync(scaleSet, cancellationToken).ConfigureAwait(false);
                changed.Add(scaleSet.Id.Key);
            }

            _outcome.Changed += changed.Count;
        }

        private async Task SaveFindingsAsync(IReadOnlyList<(ScaleSetId Id, FindingEvaluation Evaluation, FindingPlan Plan)> pools, HashSet<string> changed, CancellationToken cancellationToken)
        {
            if (pools.Count == 0)
            {
                return;
            }

            var saves = pools.SelectMany(p => p.Plan.Saves).ToList();
            var results = await _owner.FindingStore.SaveManyAsync(saves, cancellationToken).ConfigureAwait(false);
            var refused = results.Where(r => r.Conflict is not null).Select(r => r.Save.Finding.PoolId.Key).ToHashSet(StringComparer.Ordinal);
            var savedIds = results.Where(r => r.Saved is not null).Select(r => r.Save.Finding.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var (id, evaluation, plan) in pools)
            {
                changed.Add(id.Key);
                var done = new FindingChanges(
                    plan.Changes.Opened.Where(f => savedIds.Contains(f.Id)).ToList(),
                    plan.Changes.Updated.Where(f => savedIds.Contains(f.Id)).ToList(),
                    plan.Changes.Resolved.Where(f => savedIds.Contains(f.Id)).ToList(),
                    plan.Saves.Where(s => savedIds.Contains(s.Finding.Id)).Sum(s => s.Outbox.Count));
                _owner.Findings.Announce(id, done);
                _outcome.Add(done);
                if (refused.Contains(id.Key))
                {
                    // A finding of this pool changed meanwhile (or a resolved one is reopened): merge from the store.
                    try
                    {
                        _outcome.Add(await _owner.Findings.ApplyAsync(id, evaluation, cancellationToken).ConfigureAwait(false));
                    }
                    catch (ConcurrencyConflictException e)
                    {
                        _outcome.Fail(id, e.Message);
                    }
                }
            }
        }

        private async Task CheckNodesAsync(PoolRecord pool, ScaleSetSnapshot scaleSet, CancellationToken cancellationToken)
        {
            _outcome.InstanceChecks++;
            try
            {
                _outcome.Add(await _owner.Nodes.CheckAsync(pool, scaleSet, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is ArmRequestException or ConcurrencyConflictException)
            {
                _outcome.Fail(pool.Id, e.Message);
            }
        }

        private async Task ReconcileAsync(ScaleSetSnapshot scaleSet, CancellationToken cancellationToken)
        {
            try
            {
                var result = await _owner.Reconciler.ReconcileAsync(
                    new ReconcileRequest(scaleSet.Id, ReconcileTrigger.Audit, Mode: RunModes.Requested(_request.DryRun), SnapshotReadAt: _indexReadAt ?? ReadAt, FromIndex: FromIndex), scaleSet, cancellationToken).ConfigureAwait(false);
                if (result.NewlyRecorded)
                {
                    _outcome.Recorded++;
                }

                if (result.WriteSent)
                {
                    _outcome.Writes++;
                }

                _outcome.Add(result.Findings);
                if (!_request.DryRun && result.Pool is { NeedsInstanceCheck: true } pool)
                {
                    // Only for pools the app enabled AN on whose nodes were not all known to run with it.
                    await CheckNodesAsync(pool, scaleSet, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is ArmRequestException or ConcurrencyConflictException)
            {
                // One pool failing (a write refused, a lost race too many times) does not stop the others.
                _outcome.Fail(scaleSet.Id, e.Message);
            }
        }

        private async Task CloseVanishedAsync(CancellationToken cancellationToken)
        {
            var now = _owner.Time.GetUtcNow();
            var vanished = _records.Values
                .Where(p => p.Status == PoolStatus.Active && !_listed.Contains(p.Id.Key)
                    && (_request.ResourceGroup is null || p.Id.ResourceGroup.Equals(_request.ResourceGroup, StringComparison.OrdinalIgnoreCase)))
                .ToList();
            if (FromIndex)
            {
                // A pool created a moment ago may not be indexed yet: closed only when ARM says it is gone.
                var gone = new List<PoolRecord>();
                foreach (var pool in vanished)
                {
                    try
                    {
                        if (await _owner.ScaleSets.GetAsync(pool.Id, cancellationToken).ConfigureAwait(false) is null)
                        {
                            gone.Add(pool);
                        }
                    }
                    catch (ArmRequestException e)
                    {
                        _outcome.Fail(pool.Id, e.Message);
                    }
                }

                vanished = gone;
            }

            if (vanished.Count == 0)
            {
                return;
            }

            var results = await _owner.Store.SavePoolsAsync(
                vanished.Select(p => new PoolWrite(p with { Status = PoolStatus.Deleted, DeletedAt = now, LastSeen = now })).ToList(), cancellationToken).ConfigureAwait(false);
            var closed = results.Where(r => r.Saved is not null).Select(r => r.Requested.Id).ToList();

            // A record changed since it was read (an event recorded the pool again) is left to the next audit.
            _outcome.Closed += closed.Count;
            _outcome.Changed += closed.Count;
            var resolveAll = new FindingEvaluation([], Enum.GetValues<FindingKind>().ToHashSet());
            await SaveFindingsAsync(
                closed.Where(id => _open.ContainsKey(id.Key))
                    .Select(id => (id, resolveAll, _owner.Findings.Plan(id, resolveAll, _open[id.Key], skipUnchanged: true)))
                    .ToList(),
                [], cancellationToken).ConfigureAwait(false);
        }

        /// <summary>A pool decided in memory: what to write for it (nothing, for a pool that did not change).</summary>
        private sealed class Planned(ScaleSetSnapshot scaleSet, PoolRecord? stored, PoolRecord? write, DecisionRecord? decisionRow, FindingEvaluation? evaluation, FindingPlan? plan)
        {
            public ScaleSetSnapshot ScaleSet { get; } = scaleSet;
            public PoolRecord? Stored { get; } = stored;
            public PoolRecord? Write { get; } = write;
            public DecisionRecord? DecisionRow { get; } = decisionRow;
            public FindingEvaluation? Evaluation { get; } = evaluation;
            public FindingPlan? Plan { get; } = plan;

            /// <summary>The record as saved by this sweep (null when it wrote none).</summary>
            public PoolRecord? Pool { get; set; }
        }
    }
}

/// <summary>What one subscription's sweep did: the counts of the run record, its findings changes, its pools' errors.</summary>
public sealed class SweepOutcome
{
    internal int Recorded;
    internal int Closed;
    internal int Writes;
    internal int InstanceChecks;
    internal int Changed;
    private readonly List<FindingChanges> _findings = [];
    private readonly List<(ScaleSetId Pool, string Error)> _errors = [];

    public int PoolsRecorded => Recorded;
    public int PoolsClosed => Closed;
    public int ArmWrites => Writes;
    public int NodeChecks => InstanceChecks;

    /// <summary>Pools this sweep wrote anything for, or sent down the per-pool path.</summary>
    public int PoolsChanged => Changed;

    public IReadOnlyList<FindingChanges> Findings => _findings;

    /// <summary>The subscription's open refused-write findings still waiting for their Activity Log entry.</summary>
    public IReadOnlyList<Finding> PendingRefusedWrites { get; internal set; } = [];

    public IReadOnlyList<(ScaleSetId Pool, string Error)> Errors => _errors;

    internal void Add(FindingChanges? changes)
    {
        if (changes is not null)
        {
            _findings.Add(changes);
        }
    }

    internal void Fail(ScaleSetId pool, string error) => _errors.Add((pool, error));
}
