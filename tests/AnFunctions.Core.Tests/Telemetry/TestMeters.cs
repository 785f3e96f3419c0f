using System.Diagnostics.Metrics;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Fleet;
using AnFunctions.Core.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AnFunctions.Core.Tests.Telemetry;

/// <summary>
/// An <see cref="IMeterFactory"/> whose meters are scoped to it (so a collector sees only this test's instruments),
/// with <see cref="AnMetrics"/> on it and a collector per instrument. Disposed with the test.
/// </summary>
internal sealed class TestMeters : IMeterFactory
{
    private readonly List<Meter> _meters = [];
    private readonly List<IDisposable> _collectors = [];

    public TestMeters() => Metrics = new AnMetrics(this);

    public AnMetrics Metrics { get; }

    /// <summary>The names of the meters made, in order.</summary>
    public IReadOnlyList<string> MeterNames => _meters.Select(m => m.Name).ToList();

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
        _meters.Add(meter);
        return meter;
    }

    public MetricCollector<T> Collect<T>(string instrument)
        where T : struct
    {
        var collector = new MetricCollector<T>(this, AnMetrics.MeterName, instrument);
        _collectors.Add(collector);
        return collector;
    }

    /// <summary>What an observable gauge reports now: (value, tags in order) per measurement.</summary>
    public List<(long Value, string Tags)> Observe(string gauge)
    {
        using var collector = new MetricCollector<long>(this, AnMetrics.MeterName, gauge);
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().Select(m => (m.Value, Tags(m.Tags))).ToList();
    }

    public static string Tags(IReadOnlyDictionary<string, object?> tags) =>
        string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"));

    public void Dispose()
    {
        _collectors.ForEach(c => c.Dispose());
        _meters.ForEach(m => m.Dispose());
    }

    /// <summary>A fleet report with the given segments and open finding counts (the rest empty).</summary>
    public static FleetReport Report(IReadOnlyList<FleetSegment> segments, params FindingCount[] findings) => new()
    {
        GeneratedAt = TestData.Now,
        Scope = [],
        Totals = new CoverageRow("all", 0, 0, 0, 0, 0),
        BySubscription = [],
        ByCluster = [],
        ByRegion = [],
        Segments = segments,
        MixedPools = [],
        OpenFindings = [],
        OpenFindingsByKind = findings,
        LastAudits = Array.Empty<AuditRun>(),
    };

    public static FindingCount Count(FindingKind kind, FindingSeverity severity, int count) => new(kind, severity, count, "remedy");
}
