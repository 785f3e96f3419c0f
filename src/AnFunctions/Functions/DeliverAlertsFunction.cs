using AnFunctions.Core.Alerts;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>Every minute: complete pending refused-write findings and deliver the alert outbox. Not run on startup.</summary>
public sealed class DeliverAlertsFunction(AlertPump pump)
{
    public const string Name = "DeliverAlerts";
    public const string Schedule = "0 */1 * * * *";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger(Schedule, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        await pump.RunAsync(cancellationToken).ConfigureAwait(false);
}
