using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Audit;

/// <summary>
/// When a row of an index that can lag ARM (<see cref="IScaleSetIndex"/>) may be judged as it is. A lagging row can
/// show a pool as it was before a change the app already recorded, or miss a change the app has not seen yet: so the
/// row is used only to confirm what the record says, never to learn something new.
/// </summary>
public static class IndexedRows
{
    /// <summary>
    /// The row may be judged without reading the pool from ARM: the app has no record of the pool (nothing the row
    /// could be older than; a write or an alarm it leads to is still confirmed from ARM first), or an active record of
    /// this very incarnation, with no write of its own pending, that the row agrees with on everything the decision and
    /// the finding rules read (location, sizes, AN on every NIC configuration). A pool that changed since the app
    /// recorded it, one the app is writing to, or one recorded as deleted is read from ARM.
    /// </summary>
    public static bool MayBeJudgedAsListed(ScaleSetSnapshot row, PoolRecord? record) =>
        record is null
        || (record is { Status: PoolStatus.Active, PendingWrite: null }
        && record.TimeCreated == row.TimeCreated
        && string.Equals(record.Location, row.Location, StringComparison.OrdinalIgnoreCase)
        && record.AcceleratedNetworking == row.AcceleratedNetworkingOnAll
        && record.VmSizes.Order(StringComparer.OrdinalIgnoreCase).SequenceEqual(row.VmSizes.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase));

    /// <summary>
    /// The evaluation would open a warning or critical finding, or make an open one more severe: on-call would be
    /// called, so the pool is read from ARM first and judged again.
    /// </summary>
    public static bool RaisesAlarm(FindingEvaluation evaluation, IReadOnlyList<Finding> open) =>
        evaluation.Open.Any(draft => draft.Severity >= FindingSeverity.Warning
            && !open.Any(finding => finding.Kind == draft.Kind && finding.Severity >= draft.Severity));
}
