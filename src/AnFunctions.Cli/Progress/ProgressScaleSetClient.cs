using System.Runtime.CompilerServices;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Cli.Progress;

/// <summary>
/// The app's <see cref="IScaleSetClient"/> with the audit's listing reported to an <see cref="AuditProgress"/>: the
/// audit takes the next pool of a subscription only when it is done with the previous one, so the listing's pace is
/// the audit's. Pools outside <paramref name="resourceGroup"/> (when given) are skipped by the audit and not counted.
/// </summary>
internal sealed class ProgressScaleSetClient(IScaleSetClient inner, AuditProgress progress, string? resourceGroup) : IScaleSetClient
{
    public Task<ScaleSetSnapshot?> GetAsync(ScaleSetId id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public Task<IReadOnlyList<PoolInstance>> ListInstancesAsync(ScaleSetId id, CancellationToken cancellationToken) =>
        inner.ListInstancesAsync(id, cancellationToken);

    public Task RunInstanceActionAsync(ScaleSetId id, InstanceAction action, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken) =>
        inner.RunInstanceActionAsync(id, action, instanceIds, cancellationToken);

    public Task<WriteAccepted> SendAsync(ScaleSetWrite write, CancellationToken cancellationToken) => inner.SendAsync(write, cancellationToken);

    public Task<OperationStatus> GetOperationAsync(string operationUrl, CancellationToken cancellationToken) => inner.GetOperationAsync(operationUrl, cancellationToken);

    public async IAsyncEnumerable<ScaleSetListItem> ListAsync(string subscriptionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        progress.Started(subscriptionId);
        var pools = 0;
        string? failure = "stopped by an error (see the run's errors)";
        var listing = inner.ListAsync(subscriptionId, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await listing.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    failure = e.Message;
                    throw;
                }

                if (!more)
                {
                    failure = null;
                    break;
                }

                if (resourceGroup is null || (ScaleSetId.TryParse(listing.Current.ResourceId, out var id, out _) && id.ResourceGroup.Equals(resourceGroup, StringComparison.OrdinalIgnoreCase)))
                {
                    progress.Audited(subscriptionId, ++pools);
                }

                yield return listing.Current;
            }
        }
        finally
        {
            await listing.DisposeAsync().ConfigureAwait(false);
            progress.Finished(subscriptionId, pools, failure);
        }
    }
}
