using System.Diagnostics.Metrics;
using AnFunctions.Core.Events;
using AnFunctions.Core.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace AnFunctions.Core.Tests.Events;

/// <summary>
/// <see cref="EventDeliveryProcessor"/> with the payload parser substituted and the real handler behind it: every
/// element of a delivery gets an outcome, what cannot be read is kept, each outcome is counted, and only a retry fails
/// the delivery.
/// </summary>
public sealed class EventDeliveryProcessorTests : IDisposable
{
    private readonly EventHarness _app = new();
    private readonly IEventPayloadParser _parser = Substitute.For<IEventPayloadParser>();
    private readonly MeterFactory _meters = new();
    private readonly MetricCollector<long> _events;
    private readonly EventDeliveryProcessor _processor;

    public EventDeliveryProcessorTests()
    {
        _events = new MetricCollector<long>(_meters, AnMetrics.MeterName, AnMetrics.Events);
        _processor = new EventDeliveryProcessor(_parser, _app.Handler, _app.State, _app.Time, NullLogger<EventDeliveryProcessor>.Instance, new AnMetrics(_meters));
    }

    public void Dispose()
    {
        _events.Dispose();
        _meters.Dispose();
    }

    private void Delivery(IReadOnlyList<ResourceEvent> events, params UnreadableEvent[] unreadable) =>
        _parser.Parse("payload").Returns(new EventParseResult(events, unreadable));

    [Fact]
    public async Task ProcessAsync_MixedDelivery_EveryElementGetsAnOutcomeUnreadableKept()
    {
        Delivery(
            [EventHarness.Event(ResourceEventKind.WriteSuccess, id: "evt-1"), EventHarness.Event(ResourceEventKind.Other, id: "evt-2")],
            new UnreadableEvent("evt-3", "no data", "{\"id\":\"evt-3\"}"),
            new UnreadableEvent(null, "not an object", "42"));

        var result = await _processor.ProcessAsync("payload", CancellationToken.None);

        Assert.Equal(
            [("evt-3", EventDisposition.Rejected), ("(no id)", EventDisposition.Rejected), ("evt-1", EventDisposition.Handled), ("evt-2", EventDisposition.Ignored)],
            result.Outcomes.Select(o => (o.EventId, o.Disposition)));
        Assert.Equal(["no data", "not an object"], result.Outcomes.Take(2).Select(o => o.Detail));
        Assert.False(result.HasRetries);
        var rejected = await _app.RejectedAsync();
        Assert.Equal(
            [new("evt-3", "no data", "{\"id\":\"evt-3\"}", TestData.Now), new Core.State.RejectedEvent("(no id)", "not an object", "42", TestData.Now)],
            rejected.OrderByDescending(r => r.EventId, StringComparer.Ordinal));
    }

    [Fact]
    public async Task ProcessAsync_Delivery_CountsEachOutcomeByDisposition()
    {
        Delivery(
            [EventHarness.Event(ResourceEventKind.WriteSuccess, id: "evt-1"), EventHarness.Event(ResourceEventKind.Other, id: "evt-2"), EventHarness.Event(ResourceEventKind.Other, id: "evt-4")],
            new UnreadableEvent("evt-3", "no data", "{}"));

        await _processor.ProcessAsync("payload", CancellationToken.None);

        var counted = _events.GetMeasurementSnapshot()
            .GroupBy(m => (string?)m.Tags["outcome"])
            .ToDictionary(g => g.Key!, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["handled"] = 1, ["ignored"] = 2, ["rejected"] = 1 }, counted);
    }

    [Fact]
    public async Task ProcessAsync_SomeEventMustComeAgain_ThrowsNamingOnlyTheRetries()
    {
        _app.ScaleSet = TestData.ScaleSet(an: false, provisioningState: "Updating");
        Delivery([EventHarness.Event(ResourceEventKind.WriteSuccess, id: "evt-1"), EventHarness.Event(ResourceEventKind.Other, id: "evt-2")]);

        var error = await Assert.ThrowsAsync<DeliveryRetryException>(() => _processor.ProcessAsync("payload", CancellationToken.None));

        var retry = Assert.Single(error.Retries);
        Assert.Equal("evt-1", retry.EventId);
        Assert.Equal("1 event(s) failed transiently and must be redelivered: evt-1", error.Message);
        Assert.Equal(2, _events.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task ProcessWithoutThrowingAsync_SomeEventMustComeAgain_ReportsTheRetry()
    {
        _app.ScaleSet = TestData.ScaleSet(an: false, provisioningState: "Updating");
        Delivery([EventHarness.Event(ResourceEventKind.WriteSuccess, id: "evt-1")]);

        var result = await _processor.ProcessWithoutThrowingAsync("payload", CancellationToken.None);

        Assert.True(result.HasRetries);
        Assert.Equal(EventDisposition.RetryLater, Assert.Single(result.Outcomes).Disposition);
    }

    [Fact]
    public async Task ProcessAsync_EmptyDelivery_NoOutcomeNoCount()
    {
        Delivery([]);

        var result = await _processor.ProcessAsync("payload", CancellationToken.None);

        Assert.Empty(result.Outcomes);
        Assert.Empty(_events.GetMeasurementSnapshot());
    }

    /// <summary>Meters for one test, disposed with it.</summary>
    private sealed class MeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
