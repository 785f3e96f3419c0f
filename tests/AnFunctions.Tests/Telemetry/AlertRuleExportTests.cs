using AnFunctions.Core.Audit;
using AnFunctions.HostProtocol.Tests.World;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;

namespace AnFunctions.Tests.Telemetry;

/// <summary>
/// The deployed alert rule (infra/app/alerts.bicep) against what the app writes when it exports its own logs (as
/// deployed: the worker's OpenTelemetry logging, formatted message and parsed state, as <c>UseAzureMonitorExporter</c>
/// sets it): the critical <c>FindingOpened</c> line is found through its structured <c>Severity</c>, and nothing else.
/// The host-protocol tests check the same query against the lines the host relays when the worker does not export.
/// </summary>
public sealed class AlertRuleExportTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task AlertRule_Query_FindsExactlyTheCriticalFindingOpenedTheAppExports()
    {
        var records = new List<LogRecord>();
        await using var app = AppUnderTest.Create(now: Now, configure: services => services.AddLogging(b => b.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.ParseStateValues = true;
            o.AddInMemoryExporter(records);
        })));
        app.Emulator.SetSkus(Fleet.StandardSkus());
        // Critical: AN on a size without it. Info: an AN size created without AN.
        app.Emulator.PutScaleSet(Fleet.ScaleSet("an-on-b2s", "Standard_B2s", Now.AddDays(-30), an: true));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("an-off", "Standard_D4s_v5", Now.AddDays(-30), an: false));
        var query = AlertRuleQuery.FromBicep(Path.Combine(RepoPaths.Root, "infra", "app", "alerts.bicep"));

        await app.Get<FleetAudit>().RunAsync(new AuditRequest("timer"), CancellationToken.None);

        var opened = records.Where(r => r.EventId.Name == query.EventName).ToList();
        Assert.Equal(2, opened.Count);
        var rows = opened.Select(r => AlertRuleQuery.Exported(r.CategoryName!, r.EventId.Name, r.Attributes!, r.FormattedMessage!)).ToList();
        var critical = Assert.Single(rows, query.Matches);
        Assert.Equal("critical", critical.Properties["Severity"]);
        Assert.Contains("an-on-b2s", critical.Message, StringComparison.Ordinal);
        // The structured property alone decides: with the message text emptied, the row still matches.
        Assert.True(query.Matches(critical with { Message = string.Empty }));
        Assert.Equal(query.EventName, critical.Properties["EventName"]);
    }
}
