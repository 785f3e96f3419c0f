using AnFunctions.Core.Audit;
using AnFunctions.Core.Tests.Events;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;

namespace AnFunctions.Core.Tests.Audit;

/// <summary>Audits started on a queue: the message, the starter that records and enqueues it, the runner that runs it once.</summary>
public sealed class QueuedAuditTests
{
    private const string RunId = "audit-20261125T100000Z-0123abcd";
    private readonly AuditHarness _h = new();
    private readonly IAuditQueue _queue = Substitute.For<IAuditQueue>();

    private AuditStarter Starter(IAuditRunStore? runs = null) =>
        new(_queue, runs ?? _h.Runs, CoreWiring.Monitor(_h.Settings), _h.Time, NullLogger<AuditStarter>.Instance);

    private QueuedAuditRunner Runner() => new(_h.Audit, _h.Runs, NullLogger<QueuedAuditRunner>.Instance);

    private static string Message(string runId = RunId, string trigger = "http", bool dryRun = true) =>
        new AuditRunMessage(runId, trigger, TestData.Subscription, "cluster-x1y2z", dryRun, TestData.Now).ToJson();

    [Fact]
    public void ToJson_Message_TheFieldsByTheirWireNames()
    {
        Assert.Equal(
            $"{{\"runId\":\"{RunId}\",\"trigger\":\"http\",\"subscriptionId\":\"{TestData.Subscription}\",\"resourceGroup\":\"cluster-x1y2z\",\"dryRun\":true,\"requestedAt\":\"2026-11-25T10:00:00+00:00\"}}",
            Message());
        Assert.Equal("audit-runs", AuditRunMessage.QueueName);
    }

    [Fact]
    public void TryParse_OwnMessageWithUnknownFields_ReadBackAndMadeARequest()
    {
        var json = Message().Replace("{", "{\"future\":1,", StringComparison.Ordinal);

        var message = AuditRunMessage.TryParse(json);

        Assert.Equal(new AuditRunMessage(RunId, "http", TestData.Subscription, "cluster-x1y2z", true, TestData.Now), message);
        Assert.Equal(new AuditRequest("http", TestData.Subscription, "cluster-x1y2z", true, RunId), message!.ToRequest());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("null")]
    [InlineData("{not json")]
    [InlineData("{\"runId\":\"run-1\",\"trigger\":\"http\",\"dryRun\":false,\"requestedAt\":\"2026-11-25T10:00:00Z\"}")]
    [InlineData("{\"runId\":\"audit-20261125T100000Z-0123abcd\",\"trigger\":\" \",\"dryRun\":false,\"requestedAt\":\"2026-11-25T10:00:00Z\"}")]
    [InlineData("{\"runId\":\"audit-20261125T100000Z-0123abcd\",\"dryRun\":false,\"requestedAt\":\"2026-11-25T10:00:00Z\"}")]
    public void TryParse_NotAnAuditRun_Null(string? json) => Assert.Null(AuditRunMessage.TryParse(json));

    [Theory]
    [InlineData(16 * 1024, true)]
    [InlineData(16 * 1024 + 1, false)]
    public void TryParse_Length_AtMost16KiB(int length, bool parsed)
    {
        var json = Message();
        json += new string(' ', length - json.Length);

        Assert.Equal(parsed, AuditRunMessage.TryParse(json) is not null);
    }

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(TestData.Subscription, TestData.Subscription, true)]
    [InlineData(TestData.Subscription, TestData.OtherSubscription, false)]
    public void IsInScope_Subscription_NullOrConfigured(string? configured, string? requested, bool inScope)
    {
        _h.Settings.Subscriptions = configured;

        Assert.Equal(inScope, Starter().IsInScope(requested));
        Assert.True(Starter().IsInScope(null));
    }

    [Fact]
    public async Task StartAsync_Request_RecordedQueuedAndEnqueuedWithTheSameId()
    {
        var run = await Starter().StartAsync("http", TestData.Subscription.ToUpperInvariant(), "Cluster-X", dryRun: true, CancellationToken.None);

        Assert.True(AuditRun.IsValidId(run.RunId), run.RunId);
        Assert.StartsWith("audit-20261125T100000Z-", run.RunId, StringComparison.Ordinal);
        Assert.Equal(
            (AuditRunStatus.Queued, "http", TestData.Now, (DateTimeOffset?)null, TestData.Subscription, "Cluster-X", true),
            (run.Status, run.Trigger, run.Started, run.Ended, run.SubscriptionFilter, run.ResourceGroupFilter, run.DryRun));
        Assert.Same(run, await _h.Runs.GetAsync(run.RunId, CancellationToken.None));
        await _queue.Received(1).EnqueueAsync(new AuditRunMessage(run.RunId, "http", TestData.Subscription, "Cluster-X", true, TestData.Now), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task StartAsync_WholeFleet_NoFilterAndTheRunItselfWhenTheStoreCannotReadItBack()
    {
        var runs = Substitute.For<IAuditRunStore>();

        var run = await Starter(runs).StartAsync("timer", null, null, dryRun: false, CancellationToken.None);

        Assert.Equal((AuditRunStatus.Queued, (string?)null, (string?)null, false), (run.Status, run.SubscriptionFilter, run.ResourceGroupFilter, run.DryRun));
        await runs.Received(1).SaveAsync(run, Arg.Any<CancellationToken>());
        await _queue.Received(1).EnqueueAsync(Arg.Is<AuditRunMessage>(m => m.RunId == run.RunId && m.SubscriptionId == null && !m.DryRun), Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("")]
    [InlineData(null)]
    public async Task RunAsync_NotAnAuditRun_RefusedWithoutRunning(string? message)
    {
        var e = await Assert.ThrowsAsync<FormatException>(() => Runner().RunAsync(message, CancellationToken.None));

        Assert.Equal("the queue message is not an audit run (runId, trigger, subscriptionId?, resourceGroup?, dryRun)", e.Message);
        Assert.Empty(await _h.Runs.ListAsync(10, CancellationToken.None));
    }

    [Theory]
    [InlineData(AuditRunStatus.Queued)]
    [InlineData(AuditRunStatus.Running)]
    public async Task RunAsync_RunNotFinished_RunWithTheMessagesRequest(AuditRunStatus status)
    {
        await _h.Runs.SaveAsync(new AuditRun { RunId = RunId, Trigger = "http", Started = TestData.Now, Status = status }, CancellationToken.None);

        var run = await Runner().RunAsync(Message(), CancellationToken.None);

        Assert.Equal((RunId, "http", AuditRunStatus.Completed, true, TestData.Subscription, "cluster-x1y2z"), (run!.RunId, run.Trigger, run.Status, run.DryRun, run.SubscriptionFilter, run.ResourceGroupFilter));
        Assert.Equal(AuditRunStatus.Completed, (await _h.Runs.GetAsync(RunId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task RunAsync_UnknownRun_Run()
    {
        var run = await Runner().RunAsync(Message(dryRun: false), CancellationToken.None);

        Assert.Equal((RunId, AuditRunStatus.Completed, false), (run!.RunId, run.Status, run.DryRun));
    }

    [Theory]
    [InlineData(AuditRunStatus.Completed)]
    [InlineData(AuditRunStatus.CompletedWithErrors)]
    [InlineData(AuditRunStatus.Failed)]
    public async Task RunAsync_RunAlreadyFinished_ReturnedAsItIsWithoutRunningAgain(AuditRunStatus status)
    {
        var done = new AuditRun { RunId = RunId, Trigger = "http", Started = TestData.Now, Status = status };
        await _h.Runs.SaveAsync(done, CancellationToken.None);

        var run = await Runner().RunAsync(Message(), CancellationToken.None);

        Assert.Same(done, run);
        Assert.Same(done, await _h.Runs.GetAsync(RunId, CancellationToken.None));
    }
}
