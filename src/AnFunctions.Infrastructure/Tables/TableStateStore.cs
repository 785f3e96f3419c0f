using System.Runtime.CompilerServices;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// <see cref="IStateStore"/> on Azure Table Storage (or Azurite). Tables <c>{prefix}Pools</c>, <c>{prefix}Events</c>,
/// <c>{prefix}Decisions</c> and <c>{prefix}Rejected</c>, each created on first use (once per instance; register the
/// store as a singleton). A subscription's partition of the pools table holds its pool records, their decisions and the
/// marks of the events handled about its pools, so that a record, the decision behind it and the event that led to it
/// are written in one entity-group transaction (one round trip), and an audit writes a subscription's new records and
/// their decisions 100 rows at a time. Pool writes are conditional on the entity ETag, which is
/// <see cref="PoolRecord.Version"/>. The events table keeps only marks of events that name no scale set; the decisions
/// table is layout 1 (a partition per pool), read and pruned until it is empty. Key layout: see <see cref="TableKeys"/>;
/// columns: see <see cref="StateEntities"/>.
/// </summary>
public sealed partial class TableStateStore : IStateStore
{
    public const string PoolsTableSuffix = "Pools";
    public const string EventsTableSuffix = "Events";
    public const string DecisionsTableSuffix = "Decisions";
    public const string RejectedTableSuffix = "Rejected";

    private const int MaxPageSize = LazyTable.MaxPageSize;

    /// <summary>How often a decision row is written with a new random suffix after its key was taken (next to impossible).</summary>
    private const int MaxSuffixAttempts = 3;

    private readonly LazyTable _pools;
    private readonly LazyTable _events;
    private readonly LazyTable _decisions;
    private readonly LazyTable _rejected;

    public TableStateStore(TableServiceClient service, IOptions<StateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var prefix = TablePrefix.Validate(options.Value.TablePrefix, nameof(options));

        _pools = new LazyTable(service.GetTableClient(prefix + PoolsTableSuffix));
        _events = new LazyTable(service.GetTableClient(prefix + EventsTableSuffix));
        _decisions = new LazyTable(service.GetTableClient(prefix + DecisionsTableSuffix));
        _rejected = new LazyTable(service.GetTableClient(prefix + RejectedTableSuffix));
    }

    /// <summary>The names of the tables this store uses.</summary>
    public IReadOnlyList<string> TableNames => [_pools.Name, _events.Name, _decisions.Name, _rejected.Name];

    public Task<PoolRecord?> GetPoolAsync(ScaleSetId id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _pools.RunAsync(async table =>
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(
                TableKeys.PoolPartition(id), TableKeys.PoolRow(id), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? StateEntities.ToPool(response.Value!, response.Value!.ETag.ToString()) : null;
        }, cancellationToken);
    }

    public Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken) =>
        SavePoolAsync(new PoolWrite(record), cancellationToken);

    public Task<PoolRecord> SavePoolAsync(PoolWrite write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var record = write.Record;
        return _pools.RunAsync(async table =>
        {
            var entity = StateEntities.FromPool(record);
            if (write.Decision is null && write.Processed is null)
            {
                var etag = await ConditionalWrites.SaveAsync(table, entity, record.Version, $"pool {record.Id}", cancellationToken).ConfigureAwait(false);
                return StateEntities.ToPool(entity, etag);
            }

            // One transaction: the record (conditional), its decision, the event's mark.
            var processed = write.Processed;
            for (var suffixAttempt = 1; ;)
            {
                var actions = new List<TableTransactionAction> { RecordAction(entity, record.Version) };
                var decisionIndex = write.Decision is null ? -1 : actions.Count;
                if (write.Decision is { } decision)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, StateEntities.FromDecision(decision, TableKeys.NewSuffix())));
                }

                var markIndex = processed is null ? -1 : actions.Count;
                if (processed is not null)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, StateEntities.FromProcessedEvent(processed, record.Id)));
                }

                try
                {
                    var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                    var etag = response.Value[0].Headers.ETag
                        ?? throw new InvalidOperationException($"table '{table.Name}' answered a transaction without an ETag");
                    return StateEntities.ToPool(entity, etag.ToString());
                }
                catch (TableTransactionFailedException e) when (EntityGroups.IsConflict(e))
                {
                    var failed = e.FailedTransactionActionIndex;
                    if (markIndex >= 0 && (failed == markIndex || (failed is null && TableErrors.IsStatus(e, 409))))
                    {
                        // The event was marked handled already (a concurrent delivery): the first mark stays. (When the
                        // service does not say which row failed, the save is tried once without the mark: if the record
                        // was the culprit it fails again, as a conflict.)
                        processed = null;
                        continue;
                    }

                    if (failed == decisionIndex && decisionIndex >= 0 && suffixAttempt++ < MaxSuffixAttempts)
                    {
                        // The decision's random key was taken in the same tick: drawn again.
                        continue;
                    }

                    throw RecordConflict(record, e);
                }
            }
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolWrite> writes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writes);
        if (writes.Count == 0)
        {
            return [];
        }

        var results = new PoolSaveResult?[writes.Count];
        var batched = new List<int>(writes.Count);
        for (var i = 0; i < writes.Count; i++)
        {
            if (writes[i].Processed is null)
            {
                batched.Add(i);
                continue;
            }

            // A write with an event's mark: on its own, where a mark already there does not refuse the record.
            try
            {
                results[i] = new PoolSaveResult(writes[i].Record, await SavePoolAsync(writes[i], cancellationToken).ConfigureAwait(false), null);
            }
            catch (ConcurrencyConflictException e)
            {
                results[i] = new PoolSaveResult(writes[i].Record, null, e);
            }
        }

        var entities = batched.Select(i => StateEntities.FromPool(writes[i].Record)).ToList();
        var units = batched.Select((i, n) => new EntityGroups.Unit(entities[n].PartitionKey, writes[i].Decision is { } decision
            ? [RecordAction(entities[n], writes[i].Record.Version), new TableTransactionAction(TableTransactionActionType.Add, StateEntities.FromDecision(decision, TableKeys.NewSuffix()))]
            : [RecordAction(entities[n], writes[i].Record.Version)])).ToList();
        var outcomes = await _pools.RunAsync(table => EntityGroups.SubmitAsync(table, units, cancellationToken), cancellationToken).ConfigureAwait(false);
        for (var n = 0; n < batched.Count; n++)
        {
            var record = writes[batched[n]].Record;
            results[batched[n]] = outcomes[n].Refused is { } refused
                ? new PoolSaveResult(record, null, RecordConflict(record, refused))
                : new PoolSaveResult(record, StateEntities.ToPool(entities[n], outcomes[n].Responses![0].Headers.ETag?.ToString()
                    ?? throw new InvalidOperationException($"table '{_pools.Name}' answered a transaction without an ETag")), null);
        }

        return results!;
    }

    private static TableTransactionAction RecordAction(TableEntity entity, string? version) => version is { } etag
        ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(etag))
        : new TableTransactionAction(TableTransactionActionType.Add, entity);

    private static ConcurrencyConflictException RecordConflict(PoolRecord record, RequestFailedException refused) => new(
        record.Version is null
            ? $"pool {record.Id} already exists (inserted by someone else)"
            : refused.Status == 404 ? $"pool {record.Id} no longer exists" : $"pool {record.Id} was changed by someone else",
        refused);

    public async IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The pool rows only: the decisions and event marks of the partition sort before them.
        var filter = subscriptionId is null
            ? TableClient.CreateQueryFilter($"RowKey ge {TableKeys.PoolRowsFrom}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {subscriptionId.ToLowerInvariant()} and RowKey ge {TableKeys.PoolRowsFrom}");
        await foreach (var entity in _pools.QueryAsync(filter, MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            yield return StateEntities.ToPool(entity, entity.ETag.ToString());
        }
    }

    public Task<ProcessedEvent?> GetProcessedEventAsync(ScaleSetId pool, string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(eventId);
        return _pools.RunAsync(async table =>
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(
                TableKeys.PoolPartition(pool), TableKeys.ProcessedRow(eventId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? StateEntities.ToProcessedEvent(response.Value!, eventId) : null;
        }, cancellationToken);
    }

    public Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(processed);
        var pool = ScaleSetId.TryParse(processed.Subject, out var id, out _) ? id : null;
        return (pool is null ? _events : _pools).RunAsync(async table =>
        {
            try
            {
                await table.AddEntityAsync(StateEntities.FromProcessedEvent(processed, pool), cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (TableErrors.IsStatus(e, 409))
            {
                // Already recorded: the first record stays.
            }

            return true;
        }, cancellationToken);
    }

    public Task AppendDecisionAsync(DecisionRecord decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        return AppendDecisionsAsync([decision], cancellationToken);
    }

    public async Task AppendDecisionsAsync(IReadOnlyList<DecisionRecord> decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        IReadOnlyList<DecisionRecord> pending = decisions;
        if (pending.Count == 0)
        {
            return;
        }

        // A 48-bit random suffix makes a collision in the same tick next to impossible; should one happen, draw again.
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var units = pending.Select(d => new EntityGroups.Unit(TableKeys.PoolPartition(d.PoolId),
                [new TableTransactionAction(TableTransactionActionType.Add, StateEntities.FromDecision(d, TableKeys.NewSuffix()))])).ToList();
            var outcomes = await _pools.RunAsync(table => EntityGroups.SubmitAsync(table, units, cancellationToken), cancellationToken).ConfigureAwait(false);
            var refused = pending.Where((_, i) => outcomes[i].Refused is not null).ToList();
            if (refused.Count > 0 && attempt == MaxSuffixAttempts)
            {
                throw new InvalidOperationException($"table '{_pools.Name}' refused a decision row {MaxSuffixAttempts} times: {outcomes.First(o => o.Refused is not null).Refused!.Message}");
            }

            pending = refused;
        }
    }

    public async Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0)
        {
            return [];
        }

        // Row keys are inverted ticks: the service returns the newest first, in each layout.
        var decisions = await ReadDecisionsAsync(_pools,
            TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.PoolPartition(id)}") + " and " + TableKeys.RowKeyPrefixFilter(TableKeys.PoolDecisionRowsOf(id)), max, cancellationToken).ConfigureAwait(false);
        if (decisions.Count < max)
        {
            // Decisions made before the decisions moved to the pools table, until the retention period removes them.
            var older = await ReadDecisionsAsync(_decisions, TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.DecisionPartition(id)}"), max, cancellationToken).ConfigureAwait(false);
            decisions = [.. decisions.Concat(older).OrderByDescending(d => d.At).Take(max)];
        }

        return decisions;
    }

    private static async Task<List<DecisionRecord>> ReadDecisionsAsync(LazyTable table, string filter, int max, CancellationToken cancellationToken)
    {
        var decisions = new List<DecisionRecord>(Math.Min(max, MaxPageSize));
        await foreach (var entity in table.QueryAsync(filter, Math.Min(max, MaxPageSize), cancellationToken).ConfigureAwait(false))
        {
            decisions.Add(StateEntities.ToDecision(entity));
            if (decisions.Count == max)
            {
                break;
            }
        }

        return decisions;
    }

    public Task AddRejectedEventAsync(RejectedEvent rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        return _rejected.RunAsync(async table =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await table.AddEntityAsync(StateEntities.FromRejectedEvent(rejected, TableKeys.NewSuffix()), cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException e) when (TableErrors.IsStatus(e, 409) && attempt < 3)
                {
                }
            }
        }, cancellationToken);
    }

    public async IAsyncEnumerable<RejectedEvent> ListRejectedEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in _rejected.QueryAsync(null, MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            yield return StateEntities.ToRejectedEvent(entity);
        }
    }
}
