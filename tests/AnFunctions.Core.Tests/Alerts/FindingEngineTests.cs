using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Findings;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Alerts;

public sealed class FindingEngineTests
{
    private readonly ConflictingFindingStore _conflicts = new();
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly FakeLogger<FindingEngine> _log = new();
    private readonly FakeSink _pager = new("pager");
    private readonly FakeSink _chat = new("chat", FindingSeverity.Critical);
    private readonly FindingEngine _engine;
    private readonly InMemoryFindingStore _store;

    public FindingEngineTests()
    {
        _store = _conflicts.Inner;
        var options = Substitute.For<IOptionsMonitor<AlertsOptions>>();
        options.CurrentValue.Returns(new AlertsOptions { RenotifyInterval = TimeSpan.FromHours(4) });
        _engine = new FindingEngine(_conflicts, [_pager, _chat], options, _time, _log);
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

    [Fact]
    public async Task Apply_NewFinding_QueuesAPendingTriggerDueNowWithThePortalLink()
    {
        var finding = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical), CancellationToken.None)).Opened);

        var entries = await OutboxAsync(finding.Id);

        Assert.Equal(2, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal(OutboxStatus.Pending, e.Status);
            Assert.Equal(TestData.Now, e.NextAttemptAt);
            Assert.Equal(TestData.Now, e.Notification.CreatedAt);
            Assert.Equal(finding.Id, e.Notification.Finding.Id);
            Assert.Equal(PortalLinks.For(TestData.Id()), e.Notification.PortalUrl);
            Assert.Contains($"-{e.Sink}-", e.Id, StringComparison.Ordinal);
        });
        Assert.Single(entries.Select(e => e.Notification.NotificationId).Distinct());
        Assert.Equal(32, entries[0].Notification.NotificationId.Length);
    }

    [Fact]
    public async Task Apply_OpenedAndSeenAgain_KeepsFirstSeenAndTheTextsOfTheLatestEvaluation()
    {
        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(1));
        var later = new FindingEvaluation([new FindingDraft(FindingKind.SizeChanged, FindingSeverity.Info, "message 2", "consequence 2", "remedy 2", new FindingEvidence())], PoolFindingRules.ObservedKinds);

        var updated = Assert.Single((await _engine.ApplyAsync(TestData.Id(), later, CancellationToken.None)).Updated);

        Assert.Equal(TestData.Now, updated.FirstSeen);
        Assert.Equal(TestData.Now.AddHours(1), updated.LastSeen);
        Assert.Equal(("message 2", "consequence 2", "remedy 2"), (updated.Message, updated.Consequence, updated.Remedy));
        Assert.Equal(FindingStatus.Open, updated.Status);
    }

    [Fact]
    public async Task Apply_SeverityLowered_UpdatesWithoutAlerting()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChangeRefused, FindingSeverity.Critical), CancellationToken.None)).Opened).Id;

        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChangeRefused, FindingSeverity.Warning), CancellationToken.None);

        Assert.Equal(FindingSeverity.Warning, (await _store.GetAsync(id, CancellationToken.None))!.Severity);
        Assert.Equal(2, (await OutboxAsync(id)).Count);
    }

    [Fact]
    public async Task Apply_NeverNotifiedAndSeenLongAfter_IsNotDueForARenotify()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None)).Opened).Id;
        _time.Advance(TimeSpan.FromDays(3));

        var changes = await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None);

        Assert.Equal(0, changes.Notifications);
        Assert.Empty(await OutboxAsync(id));
    }

    [Fact]
    public async Task Apply_JustBeforeTheRenotifyInterval_DoesNotAlertAgain()
    {
        var evaluation = Open(FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingSeverity.Warning);
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None)).Opened).Id;
        _time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromTicks(1));

        var changes = await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None);

        Assert.Equal(0, changes.Notifications);
        Assert.Single(await OutboxAsync(id));
        Assert.Equal(TestData.Now, (await _store.GetAsync(id, CancellationToken.None))!.LastNotifiedAt);
    }

    [Fact]
    public async Task Apply_RenotifyDue_CountsTheNotificationsAndMovesLastNotified()
    {
        var evaluation = Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical);
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None)).Opened).Id;
        _time.Advance(TimeSpan.FromHours(5));

        var changes = await _engine.ApplyAsync(TestData.Id(), evaluation, CancellationToken.None);

        Assert.Equal(2, changes.Notifications);
        Assert.Equal(TestData.Now.AddHours(5), (await _store.GetAsync(id, CancellationToken.None))!.LastNotifiedAt);
    }

    [Fact]
    public async Task Apply_ManyEventsOverTime_KeepsTheLastTwentyDistinctIds()
    {
        FindingEvaluation With(params string[] ids) =>
            new([new FindingDraft(FindingKind.SizeChanged, FindingSeverity.Info, "m", "c", "r", new FindingEvidence { EventIds = ids })], PoolFindingRules.ObservedKinds);
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), With([.. Enumerable.Range(1, 15).Select(i => $"e{i}")]), CancellationToken.None)).Opened).Id;

        await _engine.ApplyAsync(TestData.Id(), With([.. Enumerable.Range(11, 15).Select(i => $"e{i}")]), CancellationToken.None);

        Assert.Equal(Enumerable.Range(6, 20).Select(i => $"e{i}"), (await _store.GetAsync(id, CancellationToken.None))!.Evidence.EventIds);
    }

    [Fact]
    public async Task OpenFindings_ResolvedOnesLeftOut()
    {
        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None);
        await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);
        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.InstancesNotOnLatestModel, FindingSeverity.Warning), CancellationToken.None);

        var open = await _engine.OpenFindingsAsync(TestData.Id(), CancellationToken.None);

        Assert.Equal(FindingKind.InstancesNotOnLatestModel, Assert.Single(open).Kind);
        Assert.Equal(2, (await _engine.ForPoolAsync(TestData.Id(), CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Apply_ResolvedFinding_LogsFindingResolved()
    {
        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical), CancellationToken.None);

        await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);

        var log = Assert.Single(_log.Collector.GetSnapshot(), r => r.Id.Name == "FindingResolved");
        Assert.Equal("critical", log.GetStructuredStateValue("Severity"));
        Assert.Equal(TestData.Id().Value, log.GetStructuredStateValue("ResourceId"));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public async Task Apply_SaveConflicts_ReadsAgainAndMergesUntilItSaves(int conflicts)
    {
        _conflicts.ConflictsLeft = conflicts;

        // The caller's read (nothing stored) is used for the first attempt only; each retry reads the store again.
        var changes = await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), stored: [], CancellationToken.None);

        Assert.Single(changes.Opened);
        Assert.Equal(conflicts, _conflicts.PoolReads);
        Assert.Equal(conflicts + 1, _conflicts.SavesTried);
        Assert.NotNull(await _store.GetAsync(Finding.IdFor(TestData.Id(), FindingKind.SizeChanged), CancellationToken.None));
    }

    [Fact]
    public async Task Apply_ConflictsOnEveryOneOfFourAttempts_GivesUp()
    {
        _conflicts.ConflictsLeft = 4;

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None));

        Assert.Equal(4, _conflicts.SavesTried);
    }

    [Fact]
    public async Task Close_NotifiedFinding_ResolvesItWithTheReasonAndSendsTheResolve()
    {
        var opened = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical), CancellationToken.None)).Opened);
        await _store.SaveAsync((await _store.GetAsync(opened.Id, CancellationToken.None))! with { Evidence = new FindingEvidence { ActivityLogPending = true } }, [], CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(2));

        var closed = await _engine.CloseAsync(TestData.Id(), FindingKind.AcceleratedNetworkingLost, "the reason", CancellationToken.None);

        Assert.NotNull(closed);
        var stored = (await _store.GetAsync(opened.Id, CancellationToken.None))!;
        Assert.Equal(FindingStatus.Resolved, stored.Status);
        Assert.Equal(TestData.Now.AddHours(2), stored.ResolvedAt);
        Assert.Equal(TestData.Now.AddHours(2), stored.LastSeen);
        Assert.Equal("the reason", stored.Evidence.Resolution);
        Assert.False(stored.Evidence.ActivityLogPending);
        Assert.Equal(["chat", "pager"], (await OutboxAsync(opened.Id)).Where(o => o.Notification.Action == AlertAction.Resolve).Select(o => o.Sink).Order());
        var log = Assert.Single(_log.Collector.GetSnapshot(), r => r.Id.Name == "FindingResolved");
        Assert.Equal(opened.Id, log.GetStructuredStateValue("FindingId"));
    }

    [Fact]
    public async Task Close_NeverNotified_ResolvesWithoutAResolve()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChangeRefused, FindingSeverity.Info), CancellationToken.None)).Opened).Id;

        await _engine.CloseAsync(TestData.Id(), FindingKind.SizeChangeRefused, "gone", CancellationToken.None);

        Assert.Equal(FindingStatus.Resolved, (await _store.GetAsync(id, CancellationToken.None))!.Status);
        Assert.Empty(await OutboxAsync(id));
    }

    [Fact]
    public async Task Close_OnlyAnotherKindOpen_ClosesNothing()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None)).Opened).Id;

        var closed = await _engine.CloseAsync(TestData.Id(), FindingKind.SizeChangeRefused, "gone", CancellationToken.None);

        Assert.Null(closed);
        Assert.Equal(FindingStatus.Open, (await _store.GetAsync(id, CancellationToken.None))!.Status);
        Assert.Equal(1, _conflicts.SavesTried);
    }

    [Fact]
    public async Task Close_AlreadyResolved_ChangesNothing()
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical), CancellationToken.None)).Opened).Id;
        await _engine.ApplyAsync(TestData.Id(), NoneOpen, CancellationToken.None);
        var before = (await _store.GetAsync(id, CancellationToken.None))!;
        _time.Advance(TimeSpan.FromHours(1));

        var closed = await _engine.CloseAsync(TestData.Id(), FindingKind.AcceleratedNetworkingLost, "again", CancellationToken.None);

        Assert.Null(closed);
        Assert.Equal(before, await _store.GetAsync(id, CancellationToken.None));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public async Task Close_SaveConflicts_LooksAgainUntilItSaves(int conflicts)
    {
        var id = Assert.Single((await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None)).Opened).Id;
        _conflicts.ConflictsLeft = conflicts;

        var closed = await _engine.CloseAsync(TestData.Id(), FindingKind.SizeChanged, "gone", CancellationToken.None);

        Assert.Equal(FindingStatus.Resolved, closed!.Status);
        Assert.Equal(FindingStatus.Resolved, (await _store.GetAsync(id, CancellationToken.None))!.Status);
        Assert.Equal(1 + conflicts + 1, _conflicts.SavesTried);
    }

    [Fact]
    public async Task Close_ConflictsOnEveryOneOfFourAttempts_GivesUp()
    {
        await _engine.ApplyAsync(TestData.Id(), Open(FindingKind.SizeChanged, FindingSeverity.Info), CancellationToken.None);
        _conflicts.ConflictsLeft = 4;

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() =>
            _engine.CloseAsync(TestData.Id(), FindingKind.SizeChanged, "gone", CancellationToken.None));

        Assert.Equal(1 + 4, _conflicts.SavesTried);
    }

    private static Finding Stored(FindingDraft draft, DateTimeOffset? lastNotified = null) => TestData.OpenFinding(draft) with
    {
        FirstSeen = TestData.Now.AddDays(-1),
        LastSeen = TestData.Now.AddHours(-1),
        LastNotifiedAt = lastNotified,
        Version = "v1",
    };

    private static readonly FindingDraft Unchanged = new(FindingKind.SizeChangeRefused, FindingSeverity.Warning, "message", "consequence", "remedy", new FindingEvidence { EventIds = ["e1"], CorrelationId = "c1" });

    [Fact]
    public void Plan_SkipUnchangedAndNothingChanged_SavesNothingButReportsItUpdated()
    {
        var stored = Stored(Unchanged, lastNotified: TestData.Now.AddHours(-1));

        var plan = _engine.Plan(TestData.Id(), new FindingEvaluation([Unchanged], PoolFindingRules.ObservedKinds), [stored], skipUnchanged: true);

        Assert.Empty(plan.Saves);
        Assert.Same(stored, Assert.Single(plan.Changes.Updated));
        Assert.Equal(0, plan.Changes.Notifications);
    }

    [Fact]
    public void Plan_NothingChangedButNotSkipping_SavesWithTheNewLastSeen()
    {
        var stored = Stored(Unchanged, lastNotified: TestData.Now.AddHours(-1));

        var plan = _engine.Plan(TestData.Id(), new FindingEvaluation([Unchanged], PoolFindingRules.ObservedKinds), [stored], skipUnchanged: false);

        var save = Assert.Single(plan.Saves);
        Assert.Equal(TestData.Now, save.Finding.LastSeen);
        Assert.Empty(save.Outbox);
    }

    public static TheoryData<string, FindingDraft> ChangedDrafts() => new()
    {
        { "message", Unchanged with { Message = "other" } },
        { "consequence", Unchanged with { Consequence = "other" } },
        { "remedy", Unchanged with { Remedy = "other" } },
        { "evidence", Unchanged with { Evidence = Unchanged.Evidence with { ErrorCode = "E1" } } },
        { "severity lowered", Unchanged with { Severity = FindingSeverity.Info } },
    };

    [Theory]
    [MemberData(nameof(ChangedDrafts))]
    public void Plan_SkipUnchangedButOneThingChanged_SavesIt(string what, FindingDraft draft)
    {
        _ = what;
        var stored = Stored(Unchanged, lastNotified: TestData.Now.AddHours(-1));

        var plan = _engine.Plan(TestData.Id(), new FindingEvaluation([draft], PoolFindingRules.ObservedKinds), [stored], skipUnchanged: true);

        var save = Assert.Single(plan.Saves);
        Assert.Equal(TestData.Now, save.Finding.LastSeen);
        Assert.Equal(save.Finding, Assert.Single(plan.Changes.Updated));
    }

    [Fact]
    public void Plan_SkipUnchangedButRenotifyDue_SavesWithTheAlert()
    {
        var stored = Stored(Unchanged, lastNotified: TestData.Now.AddHours(-4));

        var plan = _engine.Plan(TestData.Id(), new FindingEvaluation([Unchanged], PoolFindingRules.ObservedKinds), [stored], skipUnchanged: true);

        var save = Assert.Single(plan.Saves);
        Assert.Equal("pager", Assert.Single(save.Outbox).Sink);
        Assert.Equal(TestData.Now, save.Finding.LastNotifiedAt);
        Assert.Equal(1, plan.Changes.Notifications);
    }

    [Fact]
    public void Plan_OpensOverAResolvedRow_KeepsItsVersionSoTheSaveReplacesIt()
    {
        var resolved = Stored(Unchanged) with { Status = FindingStatus.Resolved, ResolvedAt = TestData.Now.AddHours(-1), Version = "v7" };

        var plan = _engine.Plan(TestData.Id(), new FindingEvaluation([Unchanged], PoolFindingRules.ObservedKinds), [resolved], skipUnchanged: true);

        var opened = Assert.Single(plan.Changes.Opened);
        Assert.Equal("v7", opened.Version);
        Assert.Equal(TestData.Now, opened.FirstSeen);
        Assert.Null(opened.ResolvedAt);
        Assert.Equal(FindingStatus.Open, opened.Status);
    }

    [Fact]
    public void PlanAndAnnounce_NullArguments_Throw()
    {
        var evaluation = new FindingEvaluation([Unchanged], PoolFindingRules.ObservedKinds);
        Assert.Throws<ArgumentNullException>("poolId", () => _engine.Plan(null!, evaluation, [], skipUnchanged: false));
        Assert.Throws<ArgumentNullException>("evaluation", () => _engine.Plan(TestData.Id(), null!, [], skipUnchanged: false));
        Assert.Throws<ArgumentNullException>("stored", () => _engine.Plan(TestData.Id(), evaluation, null!, skipUnchanged: false));
        Assert.Throws<ArgumentNullException>("poolId", () => _engine.Announce(null!, FindingChanges.None));
        Assert.Throws<ArgumentNullException>("changes", () => _engine.Announce(TestData.Id(), null!));
    }
}
