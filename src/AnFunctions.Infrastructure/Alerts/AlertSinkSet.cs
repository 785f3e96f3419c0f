using System.Collections;
using AnFunctions.Core.Alerts;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// The enabled sinks, in a stable order (webhook, Teams, Slack, PagerDuty), decided once from
/// <see cref="Core.Options.AlertsOptions"/> when the set is first resolved. <c>AddAlertSinks</c> makes this set what
/// <c>IEnumerable&lt;IAlertSink&gt;</c> resolves to, so the dispatcher sees only sinks that can deliver.
/// </summary>
public sealed class AlertSinkSet : IReadOnlyList<IAlertSink>
{
    private readonly IReadOnlyList<IAlertSink> _sinks;

    public AlertSinkSet(IEnumerable<HttpAlertSink> sinks, ILogger<AlertSinkSet> logger)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        ArgumentNullException.ThrowIfNull(logger);
        _sinks = [.. sinks.Where(s => s.Enabled).OrderBy(s => Order(s.Name)).ThenBy(s => s.Name, StringComparer.Ordinal)];
        if (_sinks.Count == 0)
        {
            AlertSinkLog.NoSinkEnabled(logger);
        }
        else
        {
            AlertSinkLog.SinksEnabled(logger, string.Join(", ", _sinks.Select(s => s.Name)));
        }
    }

    public int Count => _sinks.Count;

    public IAlertSink this[int index] => _sinks[index];

    /// <summary>The enabled sink of that name, or null (an outbox entry for a sink that has since been turned off).</summary>
    public IAlertSink? Find(string name) => _sinks.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    public IEnumerator<IAlertSink> GetEnumerator() => _sinks.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static int Order(string name)
    {
        for (var i = 0; i < AlertSinkNames.All.Count; i++)
        {
            if (AlertSinkNames.All[i] == name)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
