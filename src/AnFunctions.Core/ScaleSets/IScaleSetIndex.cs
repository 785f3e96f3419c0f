namespace AnFunctions.Core.ScaleSets;

/// <summary>
/// An index of scale sets that answers for many subscriptions at once (Azure Resource Graph). Its rows can lag ARM by
/// seconds to minutes, and they carry no ETag: nothing is written from a row, and a row is judged only when it agrees
/// with what the app recorded (<see cref="Audit.IndexedRows"/>).
/// </summary>
public interface IScaleSetIndex
{
    /// <summary>Every scale set of the given subscriptions, each read on its own (one the app cannot read is named, with the reason).</summary>
    IAsyncEnumerable<ScaleSetListItem> ListAsync(IReadOnlyList<string> subscriptionIds, CancellationToken cancellationToken);
}
