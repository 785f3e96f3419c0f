using AnFunctions.Core.Audit;
using AnFunctions.Core.Telemetry;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>
/// The drift audit on its schedule (app setting <c>Audit__Schedule</c>, default every 30 minutes); not run on startup.
/// Then the fleet gauges are observed again from the stores.
/// </summary>
public sealed class FleetAuditFunction(FleetAudit audit, FleetObserver observer)
{
    public const string Name = "FleetAudit";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%Audit:Schedule%", RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await audit.RunAsync(new AuditRequest("timer"), cancellationToken).ConfigureAwait(false);
        await observer.AuditFinishedAsync(run, cancellationToken).ConfigureAwait(false);
    }
}
