using AnFunctions.Core.Alerts;
using AnFunctions.Core.Options;
using Microsoft.Extensions.Options;

namespace AnFunctions.Cli.Simulation;

/// <summary>The on-call of a simulation: records every notification the app delivers, in order, with the usual severity filter.</summary>
internal sealed class RecordingAlertSink(IOptionsMonitor<AlertsOptions> options) : IAlertSink
{
    private readonly List<AlertNotification> _delivered = [];
    private readonly Lock _gate = new();

    public string Name => "simulate";

    public IReadOnlyList<AlertNotification> Delivered
    {
        get
        {
            lock (_gate)
            {
                return _delivered.ToList();
            }
        }
    }

    public bool Accepts(AlertNotification notification) =>
        notification.Finding.Severity >= options.CurrentValue.MinimumSeverity;

    public Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _delivered.Add(notification);
        }

        return Task.CompletedTask;
    }
}
