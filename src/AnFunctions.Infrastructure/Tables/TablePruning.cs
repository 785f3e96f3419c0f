using AnFunctions.Core.Retention;
using Azure;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>Pruning of a <see cref="LazyTable"/>: bounded pages of a filtered query, deleted in entity-group transactions.</summary>
internal static class TablePruning
{
    /// <summary>The most operations an entity-group transaction holds.</summary>
    public const int MaxTransactionSize = 100;

    /// <summary>
    /// Deletes the rows that <paramref name="filter"/> finds and <paramref name="expired"/> confirms (the exact check,
    /// made here: the service's date comparison may be coarser), reading at most <see cref="PruneLimits.MaxPages"/>
    /// pages of <see cref="PruneLimits.PageSize"/> rows and deleting each page's rows by partition in entity-group
    /// transactions of up to <see cref="MaxTransactionSize"/>. Each delete is conditional on the ETag read: a row changed
    /// (or deleted) since is left alone, and the other deletes of its transaction are sent again without it.
    /// </summary>
    /// <param name="columns">The columns <paramref name="expired"/> reads (only keys and these are fetched).</param>
    public static async Task<PrunedRows> PruneAsync(
        this LazyTable lazyTable, RetentionTable kind, string filter, IReadOnlyList<string> columns, Func<TableEntity, bool> expired, PruneLimits limits,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var table = await lazyTable.RunAsync(Task.FromResult, cancellationToken).ConfigureAwait(false);
        IEnumerable<string> select = ["PartitionKey", "RowKey", .. columns];
        var pages = table.QueryAsync<TableEntity>(filter, limits.PageSize, select, cancellationToken)
            .AsPages(pageSizeHint: limits.PageSize)
            .GetAsyncEnumerator(cancellationToken);
        var deleted = 0;
        string? continuation = null;
        await using (pages.ConfigureAwait(false))
        {
            for (var page = 0; page < limits.MaxPages; page++)
            {
                // Through RunAsync: a failure reading a page is classified like any other call's.
                var more = await lazyTable.RunAsync(async _ => await pages.MoveNextAsync().ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

                if (!more)
                {
                    continuation = null;
                    break;
                }

                continuation = pages.Current.ContinuationToken;
                foreach (var partition in pages.Current.Values.Where(expired).GroupBy(e => e.PartitionKey, StringComparer.Ordinal))
                {
                    foreach (var chunk in partition.Chunk(MaxTransactionSize))
                    {
                        deleted += await DeleteAsync(lazyTable, chunk, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (continuation is null)
                {
                    break;
                }
            }
        }

        return new PrunedRows(kind, deleted, continuation is not null);
    }

    /// <summary>Deletes the rows (one partition) in one transaction; returns how many were deleted.</summary>
    private static Task<int> DeleteAsync(LazyTable lazyTable, IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken) => lazyTable.RunAsync(async table =>
    {
        var actions = rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)).ToList();
        while (actions.Count > 0)
        {
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return actions.Count;
            }
            catch (TableTransactionFailedException e) when (IsChangedOrGone(e))
            {
                if (e.FailedTransactionActionIndex is not { } index || index < 0 || index >= actions.Count)
                {
                    // The service did not say which one: delete them one at a time.
                    return await DeleteOneByOneAsync(table, actions, cancellationToken).ConfigureAwait(false);
                }

                // Changed or deleted by someone else since it was read: keep it (or leave it gone), delete the rest.
                actions.RemoveAt(index);
            }
        }

        return 0;
    }, cancellationToken);

    private static async Task<int> DeleteOneByOneAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var action in actions)
        {
            try
            {
                await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, action.ETag, cancellationToken).ConfigureAwait(false);
                deleted++;
            }
            catch (RequestFailedException e) when (IsChangedOrGone(e))
            {
            }
        }

        return deleted;
    }

    private static bool IsChangedOrGone(RequestFailedException e) => TableErrors.IsStatus(e, 412) || TableErrors.IsStatus(e, 404);
}
