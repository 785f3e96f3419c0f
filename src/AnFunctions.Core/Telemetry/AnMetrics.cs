using System.Diagnostics.Metrics;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Events;
using AnFunctions.Core.Fleet;

namespace AnFunctions.Core.Telemetry;

/// <summary>
/// The app's metrics (meter <see cref="MeterName"/>): the fleet as last observed (gauges), events by outcome, audit
/// duration, ARM and Table Storage round trips. Exported by the Functions worker's OpenTelemetry set-up to Azure Monitor
/// (<c>customMetrics</c>); metrics are aggregated in the process and never sampled.
/// </summary>
public sealed class AnMetrics
{
    public const string MeterName = "AnFunctions";

    public const string PoolsInScope = "anfunctions.fleet.pools";
    public const string PoolsWithAcceleratedNetworking = "anfunctions.fleet.pools.accelerated_networking";
    public const string EligiblePoolsWithoutAcceleratedNetworking = "anfunctions.fleet.pools.eligible_without_accelerated_networking";
    public const string NodesWithoutAcceleratedNetworking = "anfunctions.fleet.nodes.without_accelerated_networking";
    public const string OpenFindings = "anfunctions.findings.open";
    public const string Events = "anfunctions.events";
    public const string AuditDuration = "anfunctions.audit.duration";
    public const string ArmRequests = "anfunctions.arm.requests";
    public const string TableRequests = "anfunctions.table.requests";

    /// <summary>Every tag (dimension) the instruments above carry; the workbook and alert queries may read only these.</summary>
    public static IReadOnlyList<string> TagNames { get; } = ["subscription", "cluster", "region", "kind", "severity", "outcome", "trigger", "status", "method"];

    /// <summary>Every instrument name.</summary>
    public static IReadOnlyList<string> InstrumentNames { get; } =
        [PoolsInScope, PoolsWithAcceleratedNetworking, EligiblePoolsWithoutAcceleratedNetworking, NodesWithoutAcceleratedNetworking, OpenFindings, Events, AuditDuration, ArmRequests, TableRequests];

    private readonly Counter<long> _events;
    private readonly Histogram<double> _auditDuration;
    private readonly Counter<long> _armRequests;
    private readonly Counter<long> _tableRequests;
    private volatile FleetReport? _fleet;

    public AnMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _events = meter.CreateCounter<long>(Events, "{event}", "Scale set events handled, by outcome (handled, recorded, ignored, duplicate, rejected, retrylater).");
        _auditDuration = meter.CreateHistogram<double>(AuditDuration, "s", "Duration of a fleet audit run, by trigger and status.");
        _armRequests = meter.CreateCounter<long>(ArmRequests, "{request}", "ARM requests sent (each retry counts), by kind.");
        _tableRequests = meter.CreateCounter<long>(TableRequests, "{request}", "Table Storage requests sent (each retry counts), by HTTP method.");
        meter.CreateObservableGauge(PoolsInScope, () => BySegment(r => r.Pools), "{pool}", "Active pools in scope, per subscription, cluster and region, as last observed.");
        meter.CreateObservableGauge(PoolsWithAcceleratedNetworking, () => BySegment(r => r.WithAcceleratedNetworking), "{pool}", "Pools whose model has AN on every NIC configuration.");
        meter.CreateObservableGauge(EligiblePoolsWithoutAcceleratedNetworking, () => BySegment(r => r.EligibleWithoutAcceleratedNetworking), "{pool}", "Pools without AN whose size supports it.");
        meter.CreateObservableGauge(NodesWithoutAcceleratedNetworking, () => BySegment(r => r.NodesWithoutAcceleratedNetworking), "{node}", "Nodes running without AN (pools whose nodes were listed).");
        meter.CreateObservableGauge(OpenFindings, ObserveOpenFindings, "{finding}", "Open findings by kind and severity.");
    }

    /// <summary>The fleet the gauges report from now on.</summary>
    public void Observe(FleetReport report) => _fleet = report ?? throw new ArgumentNullException(nameof(report));

    public void EventHandled(EventDisposition disposition) =>
        _events.Add(1, new KeyValuePair<string, object?>("outcome", disposition.ToString().ToLowerInvariant()));

    public void AuditCompleted(AuditRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Ended is not { } ended)
        {
            return;
        }

        _auditDuration.Record(
            Math.Max(0, (ended - run.Started).TotalSeconds),
            new KeyValuePair<string, object?>("trigger", run.Trigger),
            new KeyValuePair<string, object?>("status", run.Status.ToString().ToLowerInvariant()));
    }

    public void ArmRequest(string kind) => _armRequests.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void TableRequest(string method) => _tableRequests.Add(1, new KeyValuePair<string, object?>("method", method.ToUpperInvariant()));

    /// <summary>One series per subscription × cluster × region (tags <c>subscription</c>, <c>cluster</c>, <c>region</c>).</summary>
    private IEnumerable<Measurement<long>> BySegment(Func<CoverageRow, int> value) =>
        _fleet is { } fleet
            ? fleet.Segments.Select(s => new Measurement<long>(
                value(s.Coverage),
                new KeyValuePair<string, object?>("subscription", s.Subscription),
                new KeyValuePair<string, object?>("cluster", s.Cluster),
                new KeyValuePair<string, object?>("region", s.Region)))
            : [];

    private IEnumerable<Measurement<long>> ObserveOpenFindings() =>
        _fleet is { } fleet
            ? fleet.OpenFindingsByKind.Select(c => new Measurement<long>(
                c.Count,
                new KeyValuePair<string, object?>("kind", c.Kind.ToString()),
                new KeyValuePair<string, object?>("severity", c.Severity.ToString().ToLowerInvariant())))
            : [];
}
