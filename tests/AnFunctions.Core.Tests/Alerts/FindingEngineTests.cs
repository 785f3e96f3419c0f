using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.InMemory.Findings;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Alerts;

public sealed class FindingEngineTests
{
    private readonly InMemoryFindingStore _store = new();
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly FakeLogger<FindingEngine> _log = new();
    private readonly FakeSink _pager = new("pager");
    private readonly FakeSink _chat = new("chat", FindingSeverity.Critical);
    private readonly FindingEngine _engine;

    public FindingEngineTests()
    {
        var options = Substitute.For<IOptionsMonitor<AlertsOptions>>();
        options.CurrentValue.Returns(new AlertsOptions { RenotifyInterval = TimeSpan.FromHours(4) });
        _engine = new FindingEngine(_store, [_pager, _chat], options, _time, _log);
    }

    private static FindingEvaluation Open(FindingKind kind, FindingSeverity severity) =>
        new([new FindingDraft(kind, severity, "message", "consequence", "remedy", new FindingEvidence { EventIds = ["e1"] })], PoolFindingRules.ObservedKinds);

    private static FindingEvaluation NoneOpen => new([], PoolFindingRules.ObservedKinds);

    private async Task<List<OutboxEntry>> OutboxAsync(string findingId) => (await _store.ListOutboxAsync(findingId, CancellationToken.None)).ToList();

    [Fact]
    public async Task Apply_NewWarning_OpensOnceAndQueuesOneTriggerPerAcceptingSink()
    {
        var changes = await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingSeverity.Warning), CancellationToken.None);

        var finding = Assert.Single(changes.Opened);
        Assert.Equal(Finding.IdFor(TestData.Id(), FindingKind.SizeChangedWithoutAcceleratedNetworking), finding.Id);
        var outbox = await OutboxAsync(finding.Id);
        var entry = Assert.Single(outbox);
        Assert.Equal("pager", entry.Sink);
        Assert.Equal(AlertAction.Trigger, entry.Notification.Action);
        Assert.Equal(TestData.Now, (await _store.GetAsync(finding.Id, CancellationToken.None))!.LastNotifiedAt);
        var log = Assert.Single(_log.Collector.GetSnapshot(), r => r.Id.Name == "FindingOpened");
        Assert.Equal("warning", log.GetStructuredStateValue("Severity"));
    }

    [Fact]
    public async Task Apply_SameFindingAgainWithinInterval_UpdatesWithoutAlerting()
    {
        var evaluation = Open(FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingSeverity.Warning);
        var first = Assert.Single((await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None)).Opened);
        _time.Advance(TimeSpan.FromHours(3));

        var changes = await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None);

        Assert.Empty(changes.Opened);
        Assert.Single(changes.Updated);
        Assert.Single(await OutboxAsync(first.Id));
        Assert.Equal(TestData.Now.AddHours(3), (await _store.GetAsync(first.Id, CancellationToken.None))!.LastSeen);
    }

    [Fact]
    public async Task Apply_StillOpenAfterRenotifyInterval_AlertsAgain()
    {
        var evaluation = Open(FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingSeverity.Warning);
        var first = Assert.Single((await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None)).Opened);
        _time.Advance(TimeSpan.FromHours(4));

        await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None);

        Assert.Equal(2, (await OutboxAsync(first.Id)).Count(o => o.Notification.Action == AlertAction.Trigger));
    }

    [Fact]
    public async Task Apply_GetsWorse_AlertsAtOnceIncludingSinksThatOnlyTakeCritical()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChangeRefused, FindingSeverity.Info), CancellationToken.None)).Opened).Id;
        Assert.Empty(await OutboxAsync(id));

        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChangeRefused, FindingSeverity.Critical), CancellationToken.None);

        Assert.Equal(["chat", "pager"], (await OutboxAsync(id)).Select(o => o.Sink).Order());
    }

    [Fact]
    public async Task Apply_InfoFinding_IsRecordedButNotPaged()
    {
        var changes = await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None);

        Assert.Empty(await OutboxAsync(Assert.Single(changes.Opened).Id));
        Assert.Equal(0, changes.Notifications);
    }

    [Fact]
    public async Task Apply_ConditionGone_ResolvesAndSendsOneResolve()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical), CancellationToken.None)).Opened).Id;
        _time.Advance(TimeSpan.FromMinutes(30));

        var changes = await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);
        await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);

        var resolved = Assert.Single(changes.Resolved);
        Assert.Equal(FindingStatus.Resolved, resolved.Status);
        Assert.Equal(TestData.Now.AddMinutes(30), resolved.ResolvedAt);
        var resolves = (await OutboxAsync(id)).Where(o => o.Notification.Action == AlertAction.Resolve).Select(o => o.Sink).Order().ToList();
        Assert.Equal(["chat", "pager"], resolves);
    }

    [Fact]
    public async Task Apply_InfoResolved_SendsNoResolve()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None)).Opened).Id;

        await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);

        Assert.Empty(await OutboxAsync(id));
        Assert.Equal(FindingStatus.Resolved, (await _store.GetAsync(id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Apply_KindsNotEvaluated_AreLeftOpen()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.InstancesNotOnLatestModel, FindingSeverity.Warning), CancellationToken.None)).Opened).Id;

        await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);

        Assert.Equal(FindingStatus.Open, (await _store.GetAsync(id, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Apply_Reopened_KeepsTheSameIdAndAlertsAgain()
    {
        var evaluation = Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical);
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None)).Opened).Id;
        await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);

        var reopened = Assert.Single((await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None)).Opened);

        Assert.Equal(id, reopened.Id);
        Assert.Equal(2, (await OutboxAsync(id)).Count(o => o.Notification.Action == AlertAction.Trigger && o.Sink == "pager"));
    }

    [Fact]
    public async Task ResolveAll_PoolDeleted_ResolvesEveryOpenFinding()
    {
        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.InstancesNotOnLatestModel, FindingSeverity.Warning), CancellationToken.None);
        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None);

        var changes = await _engine.ResolveAllAsync(TestData.Id(), CancellationToken.None);

        Assert.Equal(2, changes.Resolved.Count);
        Assert.All(await _store.ListForPoolAsync(TestData.Id(), CancellationToken.None), f => Assert.Equal(FindingStatus.Resolved, f.Status));
    }

    public static TheoryData<string, FindingEvidence, FindingEvidence> EvidenceMerges() => new()
    {
        { "the later evaluation knows nothing more: what was known is kept", new FindingEvidence { EventIds = ["e2"] }, new FindingEvidence { EventIds = ["e1", "e2"], CorrelationId = "c1", ErrorCode = "E1", ErrorMessage = "m1", AttemptedSizes = ["Standard_B2s"] } },
        { "the later evaluation knows more: it wins", new FindingEvidence { EventIds = ["e2"], CorrelationId = "c2", ErrorCode = "E2", ErrorMessage = "m2", AttemptedSizes = ["Standard_D8s_v3"] }, new FindingEvidence { EventIds = ["e1", "e2"], CorrelationId = "c2", ErrorCode = "E2", ErrorMessage = "m2", AttemptedSizes = ["Standard_D8s_v3"] } },
    };

    [Theory]
    [MemberData(nameof(EvidenceMerges))]
    public async Task Apply_SameFindingAgain_MergesEvidenceKeepingWhatWasKnown(string name, FindingEvidence later, FindingEvidence expected)
    {
        _ = name;
        var first = new FindingEvidence { EventIds = ["e1"], CorrelationId = "c1", ErrorCode = "E1", ErrorMessage = "m1", AttemptedSizes = ["Standard_B2s"] };
        FindingEvaluation With(FindingEvidence evidence) => new([new FindingDraft(FindingKind.SizeChangeRefused, FindingSeverity.Info, "message", "consequence", "remedy", evidence)], PoolFindingRules.ObservedKinds);
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), With(first), CancellationToken.None)).Opened).Id;

        await _engine.ApplyAsync(TestData.Id(), With(later), CancellationToken.None);

        var evidence = (await _store.GetAsync(id, CancellationToken.None))!.Evidence;
        Assert.Equal(expected.EventIds, evidence.EventIds);
        Assert.Equal(expected.CorrelationId, evidence.CorrelationId);
        Assert.Equal(expected.ErrorCode, evidence.ErrorCode);
        Assert.Equal(expected.ErrorMessage, evidence.ErrorMessage);
        Assert.Equal(expected.AttemptedSizes, evidence.AttemptedSizes);
    }
}
