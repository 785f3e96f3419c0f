using System.Runtime.CompilerServices;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Findings;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// <see cref="IFindingStore"/> on Azure Table Storage (or Azurite): one table, <c>{prefix}Findings</c>, created on first
/// use (register the store as a singleton). Layout 2: the partition is the pool's subscription, and a finding's row key
/// is <c>finding|{pool}|{kind}</c>, an outbox entry's <c>outbox|{pool}|{escaped entry id}</c> (see
/// <see cref="TableKeys"/>). So a subscription's findings are ONE partition query (the audit reads them at once, pages
/// of 1,000), a pool's are a row-key range of it, and a finding still shares its partition with its outbox entries: a
/// save is ONE entity-group transaction (the finding added or replaced on its ETag, each entry added), and many saves of
/// a subscription go in transactions of up to 100 entities (<see cref="SaveManyAsync"/>). Versions are ETags.
/// Columns: see <see cref="FindingEntities"/>. A lookup by finding id and the lists across subscriptions filter on
/// columns on the server (a table scan) and sort on the client; the minimum severity is applied on the client (names
/// do not order). Transient failures become <see cref="StateStoreUnavailableException"/>, as in the state store.
/// <para>
/// Rows of layout 1 (partition = the pool's escaped id, rows <c>finding~{kind}</c> and <c>outbox~{id}</c>) are moved
/// to layout 2 the first time an instance uses the table (<see cref="FindingLayout"/>): before that instance reads or
/// writes any finding.
/// </para>
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
        _table = new LazyTable(service.GetTableClient(prefix + TableSuffix), FindingLayout.EnsureAsync);
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
        return await ReadFindingsAsync(PoolRows(poolId), cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<Finding> ListAsync(FindingQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var parts = new List<string>();
        if (query.PoolId is { } poolId)
        {
            parts.Add(PoolRows(poolId));
        }
        else if (query.SubscriptionId is { } subscription)
        {
            // One partition: the query the audit makes for a subscription's open findings.
            parts.Add(TableClient.CreateQueryFilter($"PartitionKey eq {subscription.ToLowerInvariant()}"));
            parts.Add(FindingRows);
        }
        else
        {
            parts.Add(FindingRows);
        }

        if (query.Status is { } status)
        {
            parts.Add(TableClient.CreateQueryFilter($"Status eq {status.ToString()}"));
        }

        if (query.Kind is { } kind)
        {
            parts.Add(TableClient.CreateQueryFilter($"Kind eq {kind.ToString()}"));
        }

        if (query.SubscriptionId is { } subscriptionId && query.PoolId is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"Subscription eq {subscriptionId.ToLowerInvariant()}"));
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
        var actions = Actions(entity, finding.Version, entries);

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

    public async Task<IReadOnlyList<FindingSaveResult>> SaveManyAsync(IReadOnlyList<FindingSave> saves, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(saves);
        if (saves.Count == 0)
        {
            return [];
        }

        var prepared = saves.Select(save =>
        {
            var stored = FindingLimits.Normalize(save.Finding);
            var entries = save.Outbox.Select(FindingLimits.Normalize).ToArray();
            FindingLimits.ValidateSave(stored, entries);
            var entity = FindingEntities.FromFinding(stored);
            return (Entity: entity, Entries: entries, Actions: Actions(entity, save.Finding.Version, entries));
        }).ToList();
        var units = prepared.Select(p => new EntityGroups.Unit(p.Entity.PartitionKey, p.Actions)).ToList();
        var outcomes = await _table.RunAsync(table => EntityGroups.SubmitAsync(table, units, cancellationToken), cancellationToken).ConfigureAwait(false);
        return
        [
            .. outcomes.Select((outcome, i) => outcome.Refused is TableTransactionFailedException refused
                ? new FindingSaveResult(saves[i], null, new ConcurrencyConflictException(DescribeConflict(refused, saves[i].Finding, prepared[i].Entries), refused))
                : outcome.Refused is { } other
                    ? new FindingSaveResult(saves[i], null, new ConcurrencyConflictException($"finding {saves[i].Finding.Id} was changed by someone else", other))
                    : new FindingSaveResult(saves[i], FindingEntities.ToFinding(prepared[i].Entity, outcome.Responses![0].Headers.ETag?.ToString()
                        ?? throw new InvalidOperationException($"table '{_table.Name}' answered a transaction without the finding's ETag")), null)),
        ];
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

    /// <summary>The finding added (no version) or replaced on its ETag, then each outbox entry added.</summary>
    private static List<TableTransactionAction> Actions(TableEntity finding, string? version, OutboxEntry[] entries)
    {
        var actions = new List<TableTransactionAction>(1 + entries.Length)
        {
            version is null
                ? new TableTransactionAction(TableTransactionActionType.Add, finding)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, finding, new ETag(version)),
        };
        actions.AddRange(entries.Select(e => new TableTransactionAction(TableTransactionActionType.Add, FindingEntities.FromOutbox(e))));
        return actions;
    }

    /// <summary>One pool's findings: its partition, and its row-key range of finding rows.</summary>
    private static string PoolRows(ScaleSetId poolId) => And(
        TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.FindingPartition(poolId)}"),
        TableKeys.RowKeyPrefixFilter(TableKeys.FindingRowsOf(poolId)));

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
