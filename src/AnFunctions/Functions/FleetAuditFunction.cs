using AnFunctions.Core.Audit;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>The drift audit on its schedule (app setting <c>Audit__Schedule</c>, default every 30 minutes); not run on startup.</summary>
public sealed class FleetAuditFunction(FleetAudit audit)
{
    public const string Name = "FleetAudit";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%Audit:Schedule%", RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        await audit.RunAsync(new AuditRequest("timer"), cancellationToken).ConfigureAwait(false);
}
