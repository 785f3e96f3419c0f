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

    /// <summary>A finding opened, one dispatch (whatever the sinks answer), then the finding resolved: its trigger and resolve both in the outbox.</summary>
    private async Task<AlertDispatcher> OpenDispatchThenResolveAsync(params IAlertSink[] sinks)
    {
        var engine = Engine(sinks);
        var dispatcher = Dispatcher(sinks);
        await engine.ApplyAsync(TestData.Id(), Open(), CancellationToken.None);
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        await engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);
        return dispatcher;
    }

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
        var dispatcher = await OpenDispatchThenResolveAsync(sink);

        // The resolve is due, its trigger waits for its retry: skipped, nothing sent.
        Assert.Equal(new DispatchResult(0, 0, 0, 1), await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Single(sink.Received);
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
        var entry = Assert.Single(await _store.ListOutboxAsync(finding.Id, CancellationToken.None));
        Assert.Equal((OutboxStatus.Failed, "sink gone is no longer configured"), (entry.Status, entry.LastError));
    }

    private async Task<OutboxEntry> OnlyEntryAsync(string findingId) => Assert.Single(await _store.ListOutboxAsync(findingId, CancellationToken.None));

    [Fact]
    public async Task Dispatch_WhileSending_TheEntryIsClaimedForThreeDeliveryTimeoutsWithTheAttemptCounted()
    {
        OutboxEntry? duringSend = null;
        IReadOnlyList<OutboxEntry>? dueDuringSend = null;
        string? findingId = null;
        var sink = new FakeSink("pager").Then(async _ =>
        {
            duringSend = await OnlyEntryAsync(findingId!);
            dueDuringSend = await _store.ListDueAsync(_time.GetUtcNow().AddSeconds(29), 10, CancellationToken.None);
        });
        findingId = Assert.Single((await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened).Id;

        await Dispatcher(sink).DispatchDueAsync(CancellationToken.None);

        Assert.Equal((OutboxStatus.Pending, 1, TestData.Now.AddSeconds(30)), (duringSend!.Status, duringSend.Attempts, duringSend.NextAttemptAt));
        Assert.Empty(dueDuringSend!);
    }

    [Fact]
    public async Task Dispatch_DeliveredAfterAFailure_RecordsWhenAndClearsTheError()
    {
        var sink = new FakeSink("pager").ThenFail(transient: true).Then(_ => Task.CompletedTask);
        var findingId = Assert.Single((await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened).Id;
        var dispatcher = Dispatcher(sink);
        await dispatcher.DispatchDueAsync(CancellationToken.None);
        Assert.Equal("pager: unavailable", (await OnlyEntryAsync(findingId)).LastError);

        _time.Advance(TimeSpan.FromSeconds(45));
        await dispatcher.DispatchDueAsync(CancellationToken.None);

        var entry = await OnlyEntryAsync(findingId);
        Assert.Equal((OutboxStatus.Delivered, 2, TestData.Now.AddSeconds(45), (string?)null), (entry.Status, entry.Attempts, entry.DeliveredAt, entry.LastError));
    }

    [Fact]
    public async Task Dispatch_SinkHangs_CancelledAtTheDeliveryTimeoutAndRetriedWithBackoff()
    {
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hanging = new HangingSink(new FakeSink("pager"), sending);
        var findingId = Assert.Single((await Engine(hanging).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened).Id;

        var dispatch = Dispatcher(hanging).DispatchDueAsync(CancellationToken.None);
        await sending.Task;
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(dispatch.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        var result = await dispatch;

        Assert.Equal(1, result.Retrying);
        var entry = await OnlyEntryAsync(findingId);
        Assert.Equal((OutboxStatus.Pending, TestData.Now.AddSeconds(10 + 30), "pager: TaskCanceledException"), (entry.Status, entry.NextAttemptAt, entry.LastError));
    }

    [Fact]
    public async Task Dispatch_UnexpectedException_RetriedNamingTheSinkAndTheTypeButNotTheMessage()
    {
        var sink = new FakeSink("pager").Then(_ => throw new HttpRequestException("https://hooks.example/secret-path refused"));
        var findingId = Assert.Single((await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened).Id;

        var result = await Dispatcher(sink).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(1, result.Retrying);
        var entry = await OnlyEntryAsync(findingId);
        Assert.Equal((OutboxStatus.Pending, TestData.Now.AddSeconds(30), "pager: HttpRequestException"), (entry.Status, entry.NextAttemptAt, entry.LastError));
    }

    [Fact]
    public async Task Dispatch_RetryAfterLongerThanTheBackoff_NextAttemptWaitsForIt()
    {
        var sink = new FakeSink("pager").ThenFail(transient: true, retryAfter: TimeSpan.FromMinutes(5)).Then(_ => Task.CompletedTask);
        var findingId = Assert.Single((await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened).Id;
        var dispatcher = Dispatcher(sink);

        await dispatcher.DispatchDueAsync(CancellationToken.None);
        Assert.Equal(TestData.Now.AddMinutes(5), (await OnlyEntryAsync(findingId)).NextAttemptAt);
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Delivered);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Delivered);
    }

    [Fact]
    public async Task Dispatch_CallerCancelsDuringTheSend_TheCancellationEndsTheRunAndNoRetryIsRecorded()
    {
        using var stop = new CancellationTokenSource();
        var sink = new FakeSink("pager").Then(_ =>
        {
            stop.Cancel();
            throw new OperationCanceledException(stop.Token);
        });
        var findingId = Assert.Single((await Engine(sink).ApplyAsync(TestData.Id(), Open(), CancellationToken.None)).Opened).Id;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Dispatcher(sink).DispatchDueAsync(stop.Token));

        // Only the claim was saved: the entry comes back after three delivery timeouts, without an error of its own.
        var entry = await OnlyEntryAsync(findingId);
        Assert.Equal((OutboxStatus.Pending, 1, TestData.Now.AddSeconds(30), (string?)null), (entry.Status, entry.Attempts, entry.NextAttemptAt, entry.LastError));
    }

    [Fact]
    public async Task Dispatch_ClaimLostToAnotherInstance_SkippedWithoutSending()
    {
        var store = new ConflictingFindingStore();
        var sink = new FakeSink("pager");
        await new FindingEngine(store, [sink], _options, _time, NullLogger<FindingEngine>.Instance).ApplyAsync(TestData.Id(), Open(), CancellationToken.None);
        store.OutboxConflictsLeft = 1;

        var result = await new AlertDispatcher(store, [sink], _options, _time, NullLogger<AlertDispatcher>.Instance).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(new DispatchResult(0, 0, 0, 1), result);
        Assert.Empty(sink.Received);
    }

    [Fact]
    public async Task Dispatch_TriggerFailsAgainWithItsResolveDue_TheResolveIsHeldBackAndCountedSkipped()
    {
        var sink = new FakeSink("pager").ThenFail(transient: true).ThenFail(transient: true).Then(_ => Task.CompletedTask);
        var dispatcher = await OpenDispatchThenResolveAsync(sink);
        _time.Advance(TimeSpan.FromSeconds(30));

        var both = await dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal(new DispatchResult(0, 1, 0, 1), both);
        Assert.Equal(2, sink.Received.Count);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(new DispatchResult(2, 0, 0, 0), await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Equal([AlertAction.Trigger, AlertAction.Resolve], sink.Delivered.Select(d => d.Action));
    }

    [Fact]
    public async Task Dispatch_TriggerRefusedForGood_DoesNotHoldBackItsResolve()
    {
        var sink = new FakeSink("pager").ThenFail(transient: false).Then(_ => Task.CompletedTask);
        var dispatcher = await OpenDispatchThenResolveAsync(sink);

        Assert.Equal(new DispatchResult(1, 0, 0, 0), await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Equal([AlertAction.Resolve], sink.Delivered.Select(d => d.Action));
    }

    [Fact]
    public async Task Dispatch_TriggerWaitingForAnotherSink_DoesNotHoldBackThisSinksResolve()
    {
        var broken = new FakeSink("broken").ThenFail(transient: true);
        var healthy = new FakeSink("healthy");
        var dispatcher = await OpenDispatchThenResolveAsync(broken, healthy);

        var result = await dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal(new DispatchResult(1, 0, 0, 1), result);
        Assert.Equal([AlertAction.Trigger, AlertAction.Resolve], healthy.Delivered.Select(d => d.Action));
    }

    [Fact]
    public async Task Dispatch_MoreThanABatchDue_DeliversTheBatchSizeThenTheRest()
    {
        var sink = new FakeSink("pager");
        var engine = Engine(sink);
        for (var i = 0; i < AlertDispatcher.BatchSize + 5; i++)
        {
            await engine.ApplyAsync(TestData.Id($"pool-{i}"), Open(), CancellationToken.None);
        }

        var dispatcher = Dispatcher(sink);

        Assert.Equal(AlertDispatcher.BatchSize, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Delivered);
        Assert.Equal(5, (await dispatcher.DispatchDueAsync(CancellationToken.None)).Delivered);
    }

    /// <summary>A sink that honours the cancellation it is given (the dispatcher's delivery timeout) while it hangs.</summary>
    private sealed class HangingSink(FakeSink inner, TaskCompletionSource sending) : IAlertSink
    {
        public string Name => inner.Name;

        public bool Accepts(AlertNotification notification) => inner.Accepts(notification);

        public async Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
        {
            sending.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
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
