using System.Globalization;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Options;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Audit run records in <c>{prefix}AuditRuns</c>: one partition, row key = inverted start ticks + run id (newest first),
/// the run as JSON split over string columns of at most 32,000 characters (Table's per-property limit).
/// </summary>
public sealed class TableAuditRunStore : IAuditRunStore
{
    public const string TableSuffix = "AuditRuns";
    private const string Partition = "run";
    private const int ChunkLength = 32_000;
    private const int MaxChunks = 30;

    private readonly TableClient _table;
    private readonly SemaphoreSlim _create = new(1, 1);
    private volatile bool _created;

    public TableAuditRunStore(TableServiceClient service, IOptions<StateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        _table = service.GetTableClient(options.Value.TablePrefix + TableSuffix);
    }

    public async Task SaveAsync(AuditRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var json = AuditReport.ToJson(run);
        var entity = new TableEntity(Partition, RowKey(run.RunId, run.Started))
        {
            ["RunId"] = run.RunId,
            ["Status"] = run.Status.ToString(),
            ["Started"] = run.Started,
        };
        var chunks = (json.Length + ChunkLength - 1) / ChunkLength;
        if (chunks > MaxChunks)
        {
            // Lists in a run are capped (AuditRun.MaxListedFindings); only an absurd error list gets here: keep the head.
            json = json[..(ChunkLength * MaxChunks)];
            chunks = MaxChunks;
        }

        for (var i = 0; i < chunks; i++)
        {
            entity[string.Create(CultureInfo.InvariantCulture, $"Json{i}")] = json.Substring(i * ChunkLength, Math.Min(ChunkLength, json.Length - (i * ChunkLength)));
        }

        await RunAsync<Response>(t => t.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditRun?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RunId eq {runId}");
        var found = await RunAsync(async t =>
        {
            await foreach (var entity in t.QueryAsync<TableEntity>(filter, maxPerPage: 1, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                return entity;
            }

            return null;
        }, cancellationToken).ConfigureAwait(false);
        return found is null ? null : Read(found);
    }

    public async Task<IReadOnlyList<AuditRun>> ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return await RunAsync(async t =>
        {
            var runs = new List<AuditRun>();
            await foreach (var entity in t.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, maxPerPage: Math.Clamp(max, 1, 1000), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (runs.Count >= max)
                {
                    break;
                }

                if (Read(entity) is { } run)
                {
                    runs.Add(run);
                }
            }

            return (IReadOnlyList<AuditRun>)runs;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static AuditRun? Read(TableEntity entity)
    {
        var json = string.Concat(Enumerable.Range(0, MaxChunks)
            .Select(i => entity.GetString(string.Create(CultureInfo.InvariantCulture, $"Json{i}")))
            .TakeWhile(chunk => chunk is not null));
        return json.Length == 0 ? null : AuditReport.FromJson(json);
    }

    private static string RowKey(string runId, DateTimeOffset started) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTime.MaxValue.Ticks - started.UtcTicks:D19}-{Uri.EscapeDataString(runId)}");

    private async Task<T> RunAsync<T>(Func<TableClient, Task<T>> action, CancellationToken cancellationToken)
    {
        try
        {
            if (!_created)
            {
                await _create.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (!_created)
                    {
                        await _table.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
                        _created = true;
                    }
                }
                finally
                {
                    _create.Release();
                }
            }

            return await action(_table).ConfigureAwait(false);
        }
        catch (Exception e) when (TableErrors.Map(e, _table.Name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }
}
