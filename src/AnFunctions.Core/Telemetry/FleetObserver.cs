using AnFunctions.Core.Audit;
using AnFunctions.Core.Fleet;

namespace AnFunctions.Core.Telemetry;

/// <summary>
/// Keeps the fleet gauges current: after an audit run (which is when pool records and findings change across the
/// fleet) it records the run's duration and observes the fleet again from the stores.
/// </summary>
public sealed class FleetObserver(FleetReportBuilder builder, AnMetrics metrics)
{
    public async Task<FleetReport> ObserveAsync(CancellationToken cancellationToken)
    {
        var report = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
        metrics.Observe(report);
        return report;
    }

    public async Task AuditFinishedAsync(AuditRun? run, CancellationToken cancellationToken)
    {
        if (run is not null)
        {
            metrics.AuditCompleted(run);
        }

        await ObserveAsync(cancellationToken).ConfigureAwait(false);
    }
}
