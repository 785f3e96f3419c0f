using System.Globalization;
using AnFunctions.Core.Audit;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// Audit run records in <c>{prefix}AuditRuns</c>: one partition, row key = inverted start ticks + run id (newest first),
/// the run as JSON split over string columns (Table's per-property limit) as <see cref="EntityColumns"/> does.
/// </summary>
public sealed partial class TableAuditRunStore : IAuditRunStore
{
    public const string TableSuffix = "AuditRuns";
    private const string Partition = "run";

    /// <summary>The JSON a run may take (lists in a run are capped; only an absurd error list comes near).</summary>
    private const int MaxJsonLength = 30 * EntityColumns.ChunkLength;

    private readonly LazyTable _table;

    public TableAuditRunStore(TableServiceClient service, IOptions<StateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        _table = new LazyTable(service.GetTableClient(TablePrefix.Validate(options.Value.TablePrefix, nameof(options)) + TableSuffix));
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
        EntityColumns.SetSplit(entity, "Json", json.Length <= MaxJsonLength ? json : json[..MaxJsonLength]);
        await _table.RunAsync(t => t.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task<AuditRun?> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RunId eq {runId}");
        await foreach (var entity in _table.QueryAsync(filter, 1, cancellationToken).ConfigureAwait(false))
        {
            return Read(entity);
        }

        return null;
    }

    public async Task<IReadOnlyList<AuditRun>> ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        var runs = new List<AuditRun>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var entity in _table.QueryAsync(filter, Math.Clamp(max, 1, LazyTable.MaxPageSize), cancellationToken).ConfigureAwait(false))
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

        return runs;
    }

    private static AuditRun? Read(TableEntity entity) =>
        EntityColumns.Join(entity, "Json") is { Length: > 0 } json ? AuditReport.FromJson(json) : null;

    private static string RowKey(string runId, DateTimeOffset started) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTime.MaxValue.Ticks - started.UtcTicks:D19}-{Uri.EscapeDataString(runId)}");
}
