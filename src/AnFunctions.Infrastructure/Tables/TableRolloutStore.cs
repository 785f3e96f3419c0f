using System.Security.Cryptography;
using System.Text;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Rollouts in <c>{prefix}Rollouts</c>, one partition: a row per rollout (key = rollout id; the rollout as JSON split
/// over string columns, its pool and status in columns of their own) and, per pool with an unfinished rollout, an
/// <c>active-</c> row naming it. A rollout and its pool's active row are written in one entity-group transaction, so
/// two requests for one pool cannot both start one: the second insert of the active row fails.
/// </summary>
public sealed class TableRolloutStore : IRolloutStore
{
    public const string TableSuffix = "Rollouts";
    private const string Partition = "rollout";
    private const string ActivePrefix = "active-";
    private const int MaxAttempts = 4;

    private readonly LazyTable _table;

    public TableRolloutStore(TableServiceClient service, IOptions<StateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        _table = new LazyTable(service.GetTableClient(TablePrefix.Validate(options.Value.TablePrefix, nameof(options)) + TableSuffix));
    }

    public Task<Rollout?> GetAsync(string rolloutId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rolloutId);
        return _table.RunAsync(table => ReadAsync(table, rolloutId, cancellationToken), cancellationToken);
    }

    public Task<Rollout?> GetActiveAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        return _table.RunAsync(async table =>
        {
            var active = await table.GetEntityIfExistsAsync<TableEntity>(Partition, ActiveRow(poolId), cancellationToken: cancellationToken).ConfigureAwait(false);
            return active.HasValue && await ReadAsync(table, active.Value!.GetString("RolloutId") ?? string.Empty, cancellationToken).ConfigureAwait(false) is { IsFinished: false } rollout
                ? rollout
                : null;
        }, cancellationToken);
    }

    public async Task<Rollout?> GetLatestAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        Rollout? latest = null;
        // Rollout rows only (their keys start with "rollout-"; the pools' active rows start with "active-").
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {"rollout-"} and RowKey lt {"rollout."} and PoolKey eq {poolId.Key}");
        await foreach (var entity in _table.QueryAsync(filter, LazyTable.MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            var rollout = Read(entity);
            if (latest is null || rollout.RequestedAt > latest.RequestedAt
                || (rollout.RequestedAt == latest.RequestedAt && string.CompareOrdinal(rollout.RolloutId, latest.RolloutId) > 0))
            {
                latest = rollout;
            }
        }

        return latest;
    }

    public Task<Rollout> StartAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        if (rollout.Version is not null)
        {
            throw new ArgumentException("a rollout is started once, before it has a version", nameof(rollout));
        }

        var entity = ToEntity(rollout);
        return _table.RunAsync(async table =>
        {
            for (var attempt = 1; ; attempt++)
            {
                var active = await table.GetEntityIfExistsAsync<TableEntity>(Partition, ActiveRow(rollout.PoolId), cancellationToken: cancellationToken).ConfigureAwait(false);
                TableTransactionAction claim;
                if (active.HasValue)
                {
                    // A pointer to an unfinished rollout blocks; one to a finished (or missing) rollout is stale and is taken over.
                    if (await ReadAsync(table, active.Value!.GetString("RolloutId") ?? string.Empty, cancellationToken).ConfigureAwait(false) is { IsFinished: false } running)
                    {
                        throw new RolloutInProgressException(running);
                    }

                    claim = new TableTransactionAction(TableTransactionActionType.UpdateReplace, ActiveEntity(rollout), active.Value.ETag);
                }
                else
                {
                    claim = new TableTransactionAction(TableTransactionActionType.Add, ActiveEntity(rollout));
                }

                try
                {
                    var response = await table.SubmitTransactionAsync([claim, new TableTransactionAction(TableTransactionActionType.Add, entity)], cancellationToken).ConfigureAwait(false);
                    return rollout with { Version = EtagOf(response.Value[1], table) };
                }
                catch (TableTransactionFailedException e) when (attempt < MaxAttempts && (TableErrors.IsStatus(e, 409) || TableErrors.IsStatus(e, 412)))
                {
                    // Someone else claimed the pool meanwhile: look again (it is probably their rollout now).
                }
                catch (TableTransactionFailedException e) when (TableErrors.IsStatus(e, 409) || TableErrors.IsStatus(e, 412))
                {
                    throw new ConcurrencyConflictException($"rollout {rollout.RolloutId} could not claim pool {rollout.PoolId}", e);
                }
            }
        }, cancellationToken);
    }

    public Task<Rollout> SaveAsync(Rollout rollout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        if (rollout.Version is null)
        {
            throw new ArgumentException($"rollout {rollout.RolloutId} has no Version: save a rollout as it was read or started", nameof(rollout));
        }

        var entity = ToEntity(rollout);
        return _table.RunAsync(async table =>
        {
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, entity, new ETag(rollout.Version)) };
            if (rollout.IsFinished)
            {
                // The pool is free again once its rollout is finished: the active row goes with the same transaction.
                var active = await table.GetEntityIfExistsAsync<TableEntity>(Partition, ActiveRow(rollout.PoolId), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (active.HasValue && active.Value!.GetString("RolloutId") == rollout.RolloutId)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, active.Value, active.Value.ETag));
                }
            }

            try
            {
                var response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return rollout with { Version = EtagOf(response.Value[0], table) };
            }
            catch (TableTransactionFailedException e) when (TableErrors.IsStatus(e, 404) || TableErrors.IsStatus(e, 412))
            {
                throw new ConcurrencyConflictException($"rollout {rollout.RolloutId} was changed by someone else (or no longer exists)", e);
            }
        }, cancellationToken);
    }

    private static async Task<Rollout?> ReadAsync(TableClient table, string rolloutId, CancellationToken cancellationToken)
    {
        if (!Rollout.IsValidId(rolloutId))
        {
            return null;
        }

        var response = await table.GetEntityIfExistsAsync<TableEntity>(Partition, rolloutId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.HasValue ? Read(response.Value!) : null;
    }

    private static Rollout Read(TableEntity entity) => RolloutJson.Deserialize(EntityColumns.RequiredJoin(entity, "Json"), entity.ETag.ToString());

    private static TableEntity ToEntity(Rollout rollout)
    {
        var entity = new TableEntity(Partition, rollout.RolloutId)
        {
            ["RolloutId"] = rollout.RolloutId,
            ["PoolKey"] = rollout.PoolId.Key,
            ["Status"] = rollout.Status.ToString(),
            ["RequestedAt"] = rollout.RequestedAt,
        };
        EntityColumns.SetSplit(entity, "Json", RolloutJson.Serialize(rollout));
        return entity;
    }

    private static TableEntity ActiveEntity(Rollout rollout) =>
        new(Partition, ActiveRow(rollout.PoolId)) { ["RolloutId"] = rollout.RolloutId };

    /// <summary>A pool's active row: the id hashed, as ids may hold characters Table keys refuse.</summary>
    private static string ActiveRow(ScaleSetId poolId) =>
        ActivePrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(poolId.Key)))[..32];

    private static string EtagOf(Response response, TableClient table) =>
        response.Headers.ETag?.ToString() ?? throw new InvalidOperationException($"table '{table.Name}' answered a transaction without an ETag");
}
