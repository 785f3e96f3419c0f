using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.InMemory.Findings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Alerts;

public sealed class AlertDispatcherTests
{
    private static readonly AlertsOptions Settings = new() { RetryDelay = TimeSpan.FromSeconds(30), MaxRetryDelay = TimeSpan.FromMinutes(15), DeliveryTimeout = TimeSpan.FromSeconds(10) };
    private readonly InMemoryFindingStore _store = new();
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly IOptionsMonitor<AlertsOptions> _options = Substitute.For<IOptionsMonitor<AlertsOptions>>();

    public AlertDispatcherTests() => _options.CurrentValue.Returns(Settings);

    private FindingEngine Engine(params IAlertSink[] sinks) => new(_store, sinks, _options, _time, NullLogger<FindingEngine>.Instance);

    private AlertDispatcher Dispatcher(params IAlertSink[] sinks) => new(_store, sinks, _options, _time, NullLogger<AlertDispatcher>.Instance);

    private static FindingEvaluation Open(FindingKind kind = FindingKind.AcceleratedNetworkingLost) =>
        new([new FindingDraft(kind, FindingSeverity.Critical, "m", "c", "r", new FindingEvidence())], PoolFindingRules.ObservedKinds);

    private static readonly FindingEvaluation NoneOpen = new([], PoolFindingRules.ObservedKinds);

    [Fact]
    public async Task Dispatch_Pending_DeliversOnceAndMarksDelivered()
    {
        var sink = new FakeSink("pager");
        await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None);
        var dispatcher = Dispatcher(sink);

        var first = await dispatcher.DispatchDueAsync(CancellationToken.None);
        var second = await dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal(1, first.Delivered);
        Assert.Equal(0, second.Delivered);
        Assert.Single(sink.Received);
        Assert.Empty(await _store.ListDueAsync(_time.GetUtcNow().AddDays(1), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Dispatch_SinkDownThenUp_RetriesWithBackoffAndDeliversExactlyOnce()
    {
        var sink = new FakeSink("pager").ThenFail(transient: true).ThenFail(transient: true).Then(_ => Task.CompletedTask);
        await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None);
        var dispatcher = Dispatcher(sink);

        Assert.Equal(1, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Retrying);
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Retrying + (await dispatcher.DispatchDueAsync(CancellationToken.None)).Delivered);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Retrying);
        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Delivered);
        _time.Advance(TimeSpan.FromHours(1));
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal(3, sink.Received.Count);
        Assert.Single(sink.Delivered);
    }

    [Fact]
    public async Task Dispatch_SinkDownForAnHour_LosesNothingAndDeliversSoonAfter()
    {
        var back = TestData.Now.AddHours(1);
        var sink = new FakeSink("pager").Then(_ => _time.GetUtcNow() < back
            ? throw new AlertDeliveryException("pager", 503, "down", isTransient: true)
            : Task.CompletedTask);
        await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None);
        var dispatcher = Dispatcher(sink);

        for (var minute = 0; minute <= 180 && sink.Delivered.Count == 0; minute++)
        {
            await dispatcher.DispatchDueAsync(CancellationToken.None);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Single(sink.Delivered);
        Assert.True(_time.GetUtcNow() <= back + Settings.MaxRetryDelay + TimeSpan.FromMinutes(1), $"delivered at {_time.GetUtcNow():O}");
        Assert.True(sink.Received.Count < 15, $"{sink.Received.Count} attempts in an hour: backoff is not working");
    }

    [Fact]
    public async Task Dispatch_TerminalRefusal_IsKeptAsFailedAndNotRetried()
    {
        var sink = new FakeSink("pager").ThenFail(transient: false);
        var finding = Assert.Single((await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened);
        var dispatcher = Dispatcher(sink);

        Assert.Equal(1, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Failed);
        _time.Advance(TimeSpan.FromDays(1));
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Single(sink.Received);
        var entry = Assert.Single(await _store.ListOutboxAsync(finding.Id, CancellationToken.None));
        Assert.Equal(OutboxStatus.Failed, entry.Status);
        Assert.Contains("bad request", entry.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatch_FailingSink_DoesNotHoldUpAnother()
    {
        var broken = new FakeSink("broken").ThenFail(transient: true);
        var healthy = new FakeSink("healthy");
        await Engine(broken, healthy).ApplyAsync(TestData.Id(), Open(), CancellationToken.None);

        var result = await Dispatcher(broken, healthy).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(1, result.Delivered);
        Assert.Equal(1, result.Retrying);
        Assert.Single(healthy.Delivered);
    }

    [Fact]
    public async Task Dispatch_ResolveWhileTriggerWaits_NeverOvertakesIt()
    {
        var sink = new FakeSink("pager").ThenFail(transient: true).Then(_ => Task.CompletedTask);
        var engine = Engine(sink);
        var dispatcher = Dispatcher(sink);
        await engine.ApplyAsync(TestData.Id(), Open(), CancellationToken.None);
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        await engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);

        await dispatcher.DispatchDueAsync(CancellationToken.None);
        Assert.Empty(sink.Delivered);
        _time.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal([AlertAction.Trigger, AlertAction.Resolve], sink.Delivered.Select(d => d.Action));
    }

    [Fact]
    public async Task Dispatch_TwoDispatchersAtOnce_DeliverEachNotificationOnce()
    {
        var sink = new FakeSink("pager").Then(_ => Task.Delay(20));
        var engine = Engine(sink);
        for (var i = 0; i < 10; i++)
        {
            await engine.ApplyAsync(TestData.Id($"pool-{i}"), Open(), CancellationToken.None);
        }

        await Task.WhenAll(Dispatcher(sink).DispatchDueAsync(CancellationToken.None), Dispatcher(sink).DispatchDueAsync(CancellationToken.None));

        Assert.Equal(10, sink.Delivered.Count);
        Assert.Equal(10, sink.Delivered.Select(d => d.FindingId).Distinct().Count());
    }

    [Fact]
    public async Task Dispatch_SinkNoLongerConfigured_KeepsTheEntryAsFailed()
    {
        var finding = Assert.Single((await Engine(new FakeSink("gone")).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened);

        var result = await Dispatcher(new FakeSink("other")).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(1, result.Failed);
        Assert.Equal(OutboxStatus.Failed, Assert.Single(await _store.ListOutboxAsync(finding.Id, CancellationToken.None)).Status);
    }

    public static TheoryData<int, int?, int> Backoffs() => new()
    {
        { 1, null, 30 },
        { 2, null, 60 },
        { 3, null, 120 },
        { 5, null, 480 },
        { 6, null, 900 },
        { 60, null, 900 },
        { 1, 120, 120 },
        { 3, 10, 120 },
    };

    [Theory]
    [MemberData(nameof(Backoffs))]
    public void Backoff_Attempts_DoublesUpToTheCapAndHonoursRetryAfter(int attempts, int? retryAfterSeconds, int expectedSeconds)
    {
        var delay = AlertDispatcher.Backoff(attempts, Settings, retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }
}
