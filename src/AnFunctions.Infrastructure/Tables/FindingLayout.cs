using Azure;
using Azure.Data.Tables;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// The findings table's layout and its migration. Layout 1 kept a pool's findings and outbox entries in a partition of
/// their own (the pool's escaped id); layout 2 keeps them in the subscription's partition (see <see cref="TableKeys"/>),
/// so that the audit reads a subscription's open findings in one query. A marker row (partition <c>layout</c>, row
/// <c>findings</c>, column <c>Version</c>) says which layout the table holds.
/// <para>
/// The first time an instance uses the table, it reads the marker (one point read). Without the marker at version 2,
/// it moves every layout-1 row: each is read, added in layout 2 (an add only: a row already there, moved before or
/// written since, is never overwritten), then deleted on the ETag it was read with; then the marker is written. A
/// crash half-way leaves rows of both layouts, and the next first use moves what is left; two instances doing it at once
/// do the same work twice, never harm. Until its migration has finished, an instance neither reads nor writes findings.
/// To move rows that an older version wrote after the marker (an instance of the old version still running during a
/// deployment), delete the marker row: the next instance to start moves them.
/// </para>
/// </summary>
internal static class FindingLayout
{
    public const int CurrentVersion = 2;
    public const string MarkerPartition = "layout";
    public const string MarkerRow = "findings";

    private static readonly string LegacyRows =
        $"({TableKeys.RowKeyPrefixFilter(TableKeys.LegacyFindings.FindingRowPrefix)}) or ({TableKeys.RowKeyPrefixFilter(TableKeys.LegacyFindings.OutboxRowPrefix)})";

    public static async Task EnsureAsync(TableClient table, CancellationToken cancellationToken)
    {
        var marker = await table.GetEntityIfExistsAsync<TableEntity>(MarkerPartition, MarkerRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (marker.HasValue && marker.Value!.GetInt32("Version") >= CurrentVersion)
        {
            return;
        }

        await MigrateAsync(table, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(MarkerPartition, MarkerRow)
        {
            ["Version"] = CurrentVersion,
            ["MigratedAt"] = DateTimeOffset.UtcNow,
        }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves every layout-1 row to layout 2; returns how many were moved (or found moved already).</summary>
    public static async Task<int> MigrateAsync(TableClient table, CancellationToken cancellationToken)
    {
        var moved = 0;
        var page = new List<TableEntity>(LazyTable.MaxPageSize);
        await foreach (var entity in table.QueryAsync<TableEntity>(LegacyRows, LazyTable.MaxPageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            page.Add(entity);
            if (page.Count == LazyTable.MaxPageSize)
            {
                moved += await MoveAsync(table, page, cancellationToken).ConfigureAwait(false);
                page.Clear();
            }
        }

        return moved + await MoveAsync(table, page, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> MoveAsync(TableClient table, List<TableEntity> legacy, CancellationToken cancellationToken)
    {
        // Findings first, then their entries: an entry never lands before its finding.
        foreach (var old in legacy.OrderBy(e => e.RowKey.StartsWith(TableKeys.LegacyFindings.FindingRowPrefix, StringComparison.Ordinal) ? 0 : 1))
        {
            var moved = old.RowKey.StartsWith(TableKeys.LegacyFindings.FindingRowPrefix, StringComparison.Ordinal)
                ? FindingEntities.FromFinding(FindingEntities.ToFinding(old, null))
                : FindingEntities.FromOutbox(FindingEntities.ToOutbox(old, null));
            try
            {
                await table.AddEntityAsync(moved, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (TableErrors.IsStatus(e, 409))
            {
                // Moved before, or written in layout 2 since: what is there is newer and stays.
            }
        }

        foreach (var old in legacy)
        {
            try
            {
                await table.DeleteEntityAsync(old.PartitionKey, old.RowKey, old.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (TableErrors.IsStatus(e, 404) || TableErrors.IsStatus(e, 412))
            {
                // Deleted by another instance's migration meanwhile.
            }
        }

        return legacy.Count;
    }

    /// <summary>The version the marker says, or null without a marker (a table of layout 1, or one not used yet).</summary>
    public static async Task<int?> ReadVersionAsync(TableClient table, CancellationToken cancellationToken)
    {
        var marker = await table.GetEntityIfExistsAsync<TableEntity>(MarkerPartition, MarkerRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return marker.HasValue ? marker.Value!.GetInt32("Version") : null;
    }
}
