using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Alerts;

/// <summary>
/// The periodic work behind on-call alerts: complete refused-write findings the Activity Log now explains, then deliver
/// what the outbox holds. Run by the <c>DeliverAlerts</c> timer (and by <c>simulate</c> after every step).
/// </summary>
public sealed class AlertPump(RefusedWriteHandler refusedWrites, AlertDispatcher dispatcher)
{
    public async Task<DispatchResult> RunAsync(CancellationToken cancellationToken)
    {
        await refusedWrites.CompletePendingAsync(cancellationToken).ConfigureAwait(false);
        return await dispatcher.DispatchDueAsync(cancellationToken).ConfigureAwait(false);
    }
}
