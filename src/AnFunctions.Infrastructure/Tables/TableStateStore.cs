using System.Runtime.CompilerServices;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// <see cref="IStateStore"/> on Azure Table Storage (or Azurite). Four tables, named <c>{prefix}Pools</c>,
/// <c>{prefix}Events</c>, <c>{prefix}Decisions</c> and <c>{prefix}Rejected</c>, each created on first use (once per
/// instance; register the store as a singleton). Pool writes are conditional on the entity ETag, which is
/// <see cref="PoolRecord.Version"/>. Key layout: see <see cref="TableKeys"/>; columns: see <see cref="StateEntities"/>.
/// </summary>
public sealed partial class TableStateStore : IStateStore
{
    public const string PoolsTableSuffix = "Pools";
    public const string EventsTableSuffix = "Events";
    public const string DecisionsTableSuffix = "Decisions";
    public const string RejectedTableSuffix = "Rejected";

    private const int MaxPageSize = LazyTable.MaxPageSize;

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

    public Task<PoolRecord> SavePoolAsync(PoolRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _pools.RunAsync(async table =>
        {
            var entity = StateEntities.FromPool(record);
            var etag = await ConditionalWrites.SaveAsync(table, entity, record.Version, $"pool {record.Id}", cancellationToken).ConfigureAwait(false);
            return StateEntities.ToPool(entity, etag);
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<PoolSaveResult>> SavePoolsAsync(IReadOnlyList<PoolRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return [];
        }

        var entities = records.Select(StateEntities.FromPool).ToList();
        var units = entities.Select((entity, i) => new EntityGroups.Unit(entity.PartitionKey,
        [
            records[i].Version is { } version
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(version))
                : new TableTransactionAction(TableTransactionActionType.Add, entity),
        ])).ToList();
        var outcomes = await _pools.RunAsync(table => EntityGroups.SubmitAsync(table, units, cancellationToken), cancellationToken).ConfigureAwait(false);
        return
        [
            .. outcomes.Select((outcome, i) => outcome.Refused is { } refused
                ? new PoolSaveResult(records[i], null, new ConcurrencyConflictException(records[i].Version is null
                    ? $"pool {records[i].Id} already exists (inserted by someone else)"
                    : refused.Status == 404 ? $"pool {records[i].Id} no longer exists" : $"pool {records[i].Id} was changed by someone else", refused))
                : new PoolSaveResult(records[i], StateEntities.ToPool(entities[i], outcome.Responses![0].Headers.ETag?.ToString()
                    ?? throw new InvalidOperationException($"table '{_pools.Name}' answered a transaction without an ETag")), null)),
        ];
    }

    public async IAsyncEnumerable<PoolRecord> ListPoolsAsync(string? subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = subscriptionId is null
            ? null
            : TableClient.CreateQueryFilter($"PartitionKey eq {subscriptionId.ToLowerInvariant()}");
        await foreach (var entity in _pools.QueryAsync(filter, MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            yield return StateEntities.ToPool(entity, entity.ETag.ToString());
        }
    }

    public Task<ProcessedEvent?> GetProcessedEventAsync(string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        return _events.RunAsync(async table =>
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(
                TableKeys.EventPartition(eventId), TableKeys.EventRow(eventId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? StateEntities.ToProcessedEvent(response.Value!, eventId) : null;
        }, cancellationToken);
    }

    public Task MarkEventProcessedAsync(ProcessedEvent processed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(processed);
        return _events.RunAsync(async table =>
        {
            try
            {
                await table.AddEntityAsync(StateEntities.FromProcessedEvent(processed), cancellationToken).ConfigureAwait(false);
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
        return _decisions.RunAsync(async table =>
        {
            // A 48-bit random suffix makes a collision in the same tick next to impossible; should one happen, draw again.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await table.AddEntityAsync(StateEntities.FromDecision(decision, TableKeys.NewSuffix()), cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (RequestFailedException e) when (TableErrors.IsStatus(e, 409) && attempt < 3)
                {
                }
            }
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<DecisionRecord>> GetDecisionsAsync(ScaleSetId id, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var decisions = new List<DecisionRecord>(Math.Min(max, MaxPageSize));
        if (max == 0)
        {
            return decisions;
        }

        // Row keys are inverted ticks: the service returns the newest first.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.DecisionPartition(id)}");
        await foreach (var entity in _decisions.QueryAsync(filter, Math.Min(max, MaxPageSize), cancellationToken).ConfigureAwait(false))
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
