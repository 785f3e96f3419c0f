using System.Runtime.CompilerServices;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// <see cref="IFindingStore"/> on Azure Table Storage (or Azurite): one table, <c>{prefix}Findings</c>, created on first
/// use (register the store as a singleton). A finding and its outbox entries share a partition, the pool's escaped key,
/// with row keys <c>finding~{kind}</c> and <c>outbox~{escaped entry id}</c> (see <see cref="TableKeys"/>), so that a
/// save is ONE entity-group transaction: the finding added (Version null) or replaced on its ETag, and each entry
/// added. Versions are ETags. Columns: see <see cref="FindingEntities"/>. Lookups by finding id and the lists filter on
/// columns on the server (a table scan) and sort on the client; the minimum severity is applied on the client (names
/// do not order). Transient failures become <see cref="StateStoreUnavailableException"/>, as in the state store.
/// </summary>
public sealed partial class TableFindingStore : IFindingStore
{
    public const string TableSuffix = "Findings";

    private static readonly string FindingRows = TableKeys.RowKeyPrefixFilter(TableKeys.FindingRowPrefix);
    private static readonly string OutboxRows = TableKeys.RowKeyPrefixFilter(TableKeys.OutboxRowPrefix);

    private readonly LazyTable _table;

    public TableFindingStore(TableServiceClient service, IOptions<StateOptions> options)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        var prefix = TablePrefix.Validate(options.Value.TablePrefix, nameof(options));
        _table = new LazyTable(service.GetTableClient(prefix + TableSuffix));
    }

    /// <summary>The name of the table this store uses.</summary>
    public string TableName => _table.Name;

    public async Task<Finding?> GetAsync(string findingId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findingId);
        var filter = And(TableClient.CreateQueryFilter($"Id eq {findingId}"), FindingRows);
        await foreach (var entity in _table.QueryAsync(filter, LazyTable.MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            return FindingEntities.ToFinding(entity, entity.ETag.ToString());
        }

        return null;
    }

    public async Task<IReadOnlyList<Finding>> ListForPoolAsync(ScaleSetId poolId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poolId);
        var filter = And(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.FindingPartition(poolId)}"), FindingRows);
        return await ReadFindingsAsync(filter, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<Finding> ListAsync(FindingQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parts = new List<string>();
        if (query.PoolId is { } poolId)
        {
            parts.Add(TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.FindingPartition(poolId)}"));
        }

        parts.Add(FindingRows);
        if (query.Status is { } status)
        {
            parts.Add(TableClient.CreateQueryFilter($"Status eq {status.ToString()}"));
        }

        if (query.Kind is { } kind)
        {
            parts.Add(TableClient.CreateQueryFilter($"Kind eq {kind.ToString()}"));
        }

        if (query.SubscriptionId is { } subscription)
        {
            parts.Add(TableClient.CreateQueryFilter($"Subscription eq {subscription.ToLowerInvariant()}"));
        }

        var findings = await ReadFindingsAsync(And([.. parts]), cancellationToken).ConfigureAwait(false);
        foreach (var finding in findings)
        {
            if (query.MinimumSeverity is null || finding.Severity >= query.MinimumSeverity)
            {
                yield return finding;
            }
        }
    }

    public Task<Finding> SaveAsync(Finding finding, IReadOnlyList<OutboxEntry> outbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(outbox);
        var stored = FindingLimits.Normalize(finding);
        var entries = outbox.Select(FindingLimits.Normalize).ToArray();
        FindingLimits.ValidateSave(stored, entries);

        var entity = FindingEntities.FromFinding(stored);
        var actions = new List<TableTransactionAction>(1 + entries.Length)
        {
            finding.Version is null
                ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, new ETag(finding.Version)),
        };
        actions.AddRange(entries.Select(e => new TableTransactionAction(TableTransactionActionType.Add, FindingEntities.FromOutbox(e))));

        return _table.RunAsync(async table =>
        {
            Response<IReadOnlyList<Response>> response;
            try
            {
                response = await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException e) when (TableErrors.IsStatus(e, 409) || TableErrors.IsStatus(e, 412) || TableErrors.IsStatus(e, 404))
            {
                throw new ConcurrencyConflictException(DescribeConflict(e, finding, entries), e);
            }

            var etag = response.Value.Count > 0 ? response.Value[0].Headers.ETag : null;
            return FindingEntities.ToFinding(entity, etag?.ToString()
                ?? throw new InvalidOperationException($"table '{table.Name}' answered a transaction without the finding's ETag"));
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        if (max == 0)
        {
            return [];
        }

        // Every due entry is read (they are few: delivered and failed ones are filtered out by the service) so that the
        // oldest come first; the service returns them in key order, not by due time. The service's date comparison is a
        // pre-filter: Azurite compares at millisecond precision (and lets through an entry due a tick after now), so
        // the exact comparison is made here.
        var filter = And(
            TableClient.CreateQueryFilter($"Status eq {nameof(OutboxStatus.Pending)} and NextAttemptAt le {now.ToUniversalTime()}"),
            OutboxRows);
        var due = await ReadOutboxAsync(filter, cancellationToken).ConfigureAwait(false);
        return
        [
            .. due.Where(e => e.Status == OutboxStatus.Pending && e.NextAttemptAt <= now)
                .OrderBy(e => e.NextAttemptAt.UtcTicks)
                .ThenBy(e => e.Id, StringComparer.Ordinal)
                .Take(max),
        ];
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListOutboxAsync(string findingId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(findingId);
        var filter = And(TableClient.CreateQueryFilter($"FindingId eq {findingId}"), OutboxRows);
        var entries = await ReadOutboxAsync(filter, cancellationToken).ConfigureAwait(false);
        return [.. entries.OrderBy(e => e.Id, StringComparer.Ordinal)];
    }

    public Task<OutboxEntry> UpdateOutboxAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        FindingLimits.ValidateEntry(entry);
        if (entry.Version is null)
        {
            throw new ArgumentException($"outbox entry {entry.Id} has no Version: update an entry as it was read", nameof(entry));
        }

        var entity = FindingEntities.FromOutbox(FindingLimits.Normalize(entry));
        return _table.RunAsync(async table =>
        {
            var etag = await ConditionalWrites.SaveAsync(table, entity, entry.Version, $"outbox entry {entry.Id}", cancellationToken).ConfigureAwait(false);
            return FindingEntities.ToOutbox(entity, etag);
        }, cancellationToken);
    }

    private async Task<List<Finding>> ReadFindingsAsync(string filter, CancellationToken cancellationToken)
    {
        var findings = new List<Finding>();
        await foreach (var entity in _table.QueryAsync(filter, LazyTable.MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            findings.Add(FindingEntities.ToFinding(entity, entity.ETag.ToString()));
        }

        findings.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return findings;
    }

    private async Task<List<OutboxEntry>> ReadOutboxAsync(string filter, CancellationToken cancellationToken)
    {
        var entries = new List<OutboxEntry>();
        await foreach (var entity in _table.QueryAsync(filter, LazyTable.MaxPageSize, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(FindingEntities.ToOutbox(entity, entity.ETag.ToString()));
        }

        return entries;
    }

    private static string And(params string[] filters) => string.Join(" and ", filters.Select(f => $"({f})"));

    private static string DescribeConflict(TableTransactionFailedException e, Finding finding, OutboxEntry[] entries)
    {
        if (e.FailedTransactionActionIndex is > 0 and var index && index <= entries.Length)
        {
            return $"outbox entry {entries[index - 1].Id} of finding {finding.Id} already exists";
        }

        return e.Status switch
        {
            409 => $"finding {finding.Id} already exists (inserted by someone else)",
            404 => $"finding {finding.Id} no longer exists",
            _ => $"finding {finding.Id} was changed by someone else",
        };
    }
}
