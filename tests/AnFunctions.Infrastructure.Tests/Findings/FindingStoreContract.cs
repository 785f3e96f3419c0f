using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.State;
using static AnFunctions.Infrastructure.Tests.Findings.FindingTestData;

namespace AnFunctions.Infrastructure.Tests.Findings;

/// <summary>
/// The behaviour every <see cref="IFindingStore"/> must have. Each concrete class gives a fresh, empty store per test.
/// </summary>
public abstract partial class FindingStoreContract
{
    protected abstract IFindingStore Store { get; }

    private static CancellationToken Ct => CancellationToken.None;

    // ---- get and save ---------------------------------------------------------------------------------------------

    [Fact]
    public async Task GetAsync_Missing_ReturnsNull()
    {
        await Store.SaveAsync(Full(NewPool()), [], Ct);

        Assert.Null(await Store.GetAsync(Finding.IdFor(NewPool(), FindingKind.SizeChanged), Ct));
        Assert.Null(await Store.GetAsync("no such id ' or 1 eq 1", Ct));
    }

    [Fact]
    public async Task SaveAsync_Insert_RoundTripsEveryField()
    {
        var finding = Full(NewPool());

        var saved = await Store.SaveAsync(finding, [], Ct);
        var read = await Store.GetAsync(finding.Id, Ct);

        Assert.NotNull(read);
        AssertSameFinding(finding, saved);
        AssertSameFinding(finding, read);
        Assert.False(string.IsNullOrEmpty(saved.Version));
        Assert.Equal(saved.Version, read.Version);
    }

    [Fact]
    public async Task SaveAsync_OptionalFieldsNull_RoundTripsNullsAndEmptyLists()
    {
        var finding = Minimal(NewPool());

        await Store.SaveAsync(finding, [], Ct);
        var read = await Store.GetAsync(finding.Id, Ct);

        Assert.NotNull(read);
        AssertSameFinding(finding, read);
        Assert.Null(read.ResolvedAt);
        Assert.Null(read.LastNotifiedAt);
        Assert.Null(read.Evidence.AcceleratedNetworking);
        Assert.Null(read.Evidence.SizeSupport);
        Assert.Null(read.Evidence.CorrelationId);
        Assert.Null(read.Evidence.ErrorCode);
        Assert.Null(read.Evidence.ErrorMessage);
        Assert.Null(read.Evidence.Cluster);
        Assert.Null(read.Evidence.Location);
        Assert.Empty(read.Evidence.PreviousSizes);
        Assert.Empty(read.Evidence.CurrentSizes);
        Assert.Empty(read.Evidence.AttemptedSizes);
        Assert.Empty(read.Evidence.EventIds);
        Assert.False(read.Evidence.ActivityLogPending);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [InlineData(null)]
    public async Task SaveAsync_EvidenceAcceleratedNetworking_RoundTripsTrueFalseAndNull(bool? value)
    {
        var finding = Full(NewPool()) with { Evidence = Full(NewPool()).Evidence with { AcceleratedNetworking = value } };

        await Store.SaveAsync(finding, [], Ct);

        Assert.Equal(value, (await Store.GetAsync(finding.Id, Ct))?.Evidence.AcceleratedNetworking);
    }

    [Fact]
    public async Task SaveAsync_DatesWithOffsets_SameInstantsComeBackInUtc()
    {
        var east = TimeSpan.FromHours(5.5);
        var west = TimeSpan.FromHours(-8);
        var finding = Full(NewPool()) with
        {
            FirstSeen = new DateTimeOffset(2025, 12, 31, 23, 59, 59, west).AddTicks(1_234_567),
            LastSeen = new DateTimeOffset(2026, 1, 1, 7, 0, 0, east).AddTicks(1),
            ResolvedAt = new DateTimeOffset(2026, 1, 2, 0, 0, 0, east),
            LastNotifiedAt = new DateTimeOffset(2026, 1, 3, 0, 0, 0, west),
        };
        var entry = Entry(finding, due: new DateTimeOffset(2026, 1, 4, 1, 2, 3, east)) with { DeliveredAt = new DateTimeOffset(2026, 1, 5, 0, 0, 0, west) };

        await Store.SaveAsync(finding, [entry], Ct);
        var read = await Store.GetAsync(finding.Id, Ct);
        var stored = Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct));

        Assert.NotNull(read);
        AssertSameFinding(finding, read);
        AssertSameEntry(entry, stored);
        Assert.Equal(finding.FirstSeen.UtcTicks, read.FirstSeen.UtcTicks);
        Assert.Equal(TimeSpan.Zero, stored.Notification.CreatedAt.Offset);
        Assert.Equal(TimeSpan.Zero, stored.Notification.Finding.FirstSeen.Offset);
    }

    [Fact]
    public async Task SaveAsync_ReplaceWithCurrentVersion_SavesAndChangesVersion()
    {
        var inserted = await Store.SaveAsync(Full(NewPool()), [], Ct);
        var changed = inserted with
        {
            Status = FindingStatus.Resolved,
            Severity = FindingSeverity.Info,
            ResolvedAt = FindingTestData.T0.AddDays(1),
            LastNotifiedAt = null,
            Message = "resolved",
            Evidence = inserted.Evidence with { EventIds = ["ev-9"], ErrorMessage = null, AcceleratedNetworking = true },
        };

        var replaced = await Store.SaveAsync(changed, [], Ct);
        var read = await Store.GetAsync(changed.Id, Ct);

        Assert.NotEqual(inserted.Version, replaced.Version);
        Assert.NotNull(read);
        Assert.Equal(replaced.Version, read.Version);
        AssertSameFinding(changed, read);
        Assert.Null(read.LastNotifiedAt);
        Assert.Null(read.Evidence.ErrorMessage);
    }

    // ---- many saves at once (the audit) ----------------------------------------------------------------------------

    [Fact]
    public async Task SaveManyAsync_ManySavesOverTwoSubscriptions_SavesEveryFindingWithItsOutbox()
    {
        // 60 findings with an entry each in one subscription: 120 entities, more than one transaction's 100.
        var first = Guid.NewGuid().ToString();
        var second = Guid.NewGuid().ToString();
        var saves = Enumerable.Range(0, 60).Select(i => Full(NewPool(first, $"pool{i:D2}")))
            .Concat(Enumerable.Range(0, 5).Select(i => Full(NewPool(second, $"pool{i:D2}"), FindingKind.SizeChanged)))
            .Select(f => new FindingSave(f, [Entry(f)]))
            .ToList();

        var results = await Store.SaveManyAsync(saves, Ct);

        Assert.Equal(saves.Select(s => s.Finding.Id), results.Select(r => r.Save.Finding.Id));
        Assert.All(results, r => Assert.Null(r.Conflict));
        foreach (var result in results)
        {
            var read = await Store.GetAsync(result.Save.Finding.Id, Ct);
            Assert.NotNull(read);
            AssertSameFinding(result.Save.Finding, read);
            Assert.Equal(result.Saved!.Version, read.Version);
            AssertSameEntry(result.Save.Outbox[0], Assert.Single(await Store.ListOutboxAsync(read.Id, Ct)));
        }

        Assert.Equal(60, (await ToListAsync(Store.ListAsync(new FindingQuery(SubscriptionId: first), Ct))).Count);
    }

    [Fact]
    public async Task SaveManyAsync_StaleVersionAndDuplicateInsertAmongMany_RefusesOnlyThoseWithTheirOutbox()
    {
        var subscription = Guid.NewGuid().ToString();
        var inserted = await Store.SaveAsync(Full(NewPool(subscription, "raced")), [], Ct);
        var current = await Store.SaveAsync(inserted with { Message = "current" }, [], Ct);
        var taken = await Store.SaveAsync(Full(NewPool(subscription, "taken")) with { Message = "first" }, [], Ct);
        var fresh = Enumerable.Range(0, 30).Select(i => Full(NewPool(subscription, $"fresh{i:D2}"))).ToList();
        var stale = inserted with { Message = "stale" };
        var duplicate = Full(taken.PoolId) with { Message = "second" };
        var saves = fresh.Take(15).Select(f => new FindingSave(f, [Entry(f)]))
            .Append(new FindingSave(stale, [Entry(stale, "teams")]))
            .Concat(fresh.Skip(15).Select(f => new FindingSave(f, [Entry(f)])))
            .Append(new FindingSave(duplicate, [Entry(duplicate, "slack")]))
            .ToList();

        var results = await Store.SaveManyAsync(saves, Ct);

        Assert.IsType<ConcurrencyConflictException>(results[15].Conflict);
        Assert.IsType<ConcurrencyConflictException>(results[^1].Conflict);
        Assert.Null(results[15].Saved);
        Assert.All(results.Where((_, i) => i != 15 && i != results.Count - 1), r => Assert.NotNull(r.Saved));
        Assert.Equal(current.Version, (await Store.GetAsync(inserted.Id, Ct))?.Version);
        Assert.Equal("first", (await Store.GetAsync(taken.Id, Ct))?.Message);
        Assert.Empty(await Store.ListOutboxAsync(inserted.Id, Ct));
        Assert.Empty(await Store.ListOutboxAsync(taken.Id, Ct));
        Assert.Equal(30, (await Store.ListDueAsync(DateTimeOffset.MaxValue, 100, Ct)).Count);
    }

    [Fact]
    public async Task SaveManyAsync_Nothing_ReturnsNothing()
    {
        Assert.Empty(await Store.SaveManyAsync([], Ct));
    }

    [Fact]
    public async Task ListAsync_OpenOfOneSubscription_ReturnsItsOpenFindingsOfEveryPool()
    {
        var subscription = Guid.NewGuid().ToString();
        var open = Enumerable.Range(0, 3).Select(i => Full(NewPool(subscription, $"pool{i}")) with { Status = FindingStatus.Open }).ToList();
        foreach (var finding in open)
        {
            await Store.SaveAsync(finding, [Entry(finding)], Ct);
        }

        await Store.SaveAsync(Full(NewPool(subscription, "old")) with { Status = FindingStatus.Resolved }, [], Ct);
        await Store.SaveAsync(Full(NewPool(), FindingKind.SizeChanged), [], Ct);

        var listed = await ToListAsync(Store.ListAsync(new FindingQuery(FindingStatus.Open, SubscriptionId: subscription.ToUpperInvariant()), Ct));

        Assert.Equal(open.Select(f => f.Id).Order(StringComparer.Ordinal), listed.Select(f => f.Id));
    }

    [Fact]
    public async Task SaveAsync_ReplaceWithStaleVersion_ThrowsConflictAndSavesNeitherFindingNorOutbox()
    {
        var inserted = await Store.SaveAsync(Full(NewPool()), [], Ct);
        var first = await Store.SaveAsync(inserted with { Message = "first" }, [Entry(inserted, "webhook")], Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.SaveAsync(inserted with { Message = "second" }, [Entry(inserted, "teams"), Entry(inserted, "slack")], Ct));

        var read = await Store.GetAsync(inserted.Id, Ct);
        Assert.NotNull(read);
        Assert.Equal("first", read.Message);
        Assert.Equal(first.Version, read.Version);
        Assert.Equal("webhook", Assert.Single(await Store.ListOutboxAsync(inserted.Id, Ct)).Sink);
        Assert.Equal("webhook", Assert.Single(await Store.ListDueAsync(DateTimeOffset.MaxValue, 100, Ct)).Sink);
    }

    [Fact]
    public async Task SaveAsync_InsertWhenExists_ThrowsConflictAndSavesNeitherFindingNorOutbox()
    {
        var pool = NewPool();
        var first = Full(pool) with { Message = "first" };
        await Store.SaveAsync(first, [Entry(first, "webhook")], Ct);
        var second = Full(pool) with { Message = "second" };

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SaveAsync(second, [Entry(second, "teams")], Ct));

        Assert.Equal("first", (await Store.GetAsync(first.Id, Ct))?.Message);
        Assert.Equal("webhook", Assert.Single(await Store.ListOutboxAsync(first.Id, Ct)).Sink);
    }

    [Fact]
    public async Task SaveAsync_ReplaceWhenMissing_ThrowsConflictAndSavesNothing()
    {
        var inserted = await Store.SaveAsync(Full(NewPool()), [], Ct);
        var other = Full(NewPool()) with { Version = inserted.Version };

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SaveAsync(other, [Entry(other)], Ct));

        Assert.Null(await Store.GetAsync(other.Id, Ct));
        Assert.Empty(await Store.ListOutboxAsync(other.Id, Ct));
    }

    [Fact]
    public async Task SaveAsync_OutboxEntryIdAlreadyStored_ThrowsConflictAndSavesNothing()
    {
        var finding = Full(NewPool());
        var entry = Entry(finding);
        var inserted = await Store.SaveAsync(finding, [entry], Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.SaveAsync(inserted with { Message = "changed" }, [Entry(finding, "teams"), entry with { Sink = "again" }], Ct));

        var read = await Store.GetAsync(finding.Id, Ct);
        Assert.Equal(inserted.Version, read?.Version);
        Assert.Equal(finding.Message, read?.Message);
        Assert.Equal("webhook", Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct)).Sink);
    }

    [Fact]
    public async Task SaveAsync_WithOutbox_SavesEveryEntryWithTheFinding()
    {
        var finding = Full(NewPool());
        var entries = new[]
        {
            FullEntry(finding, "webhook", FindingTestData.T0),
            Entry(finding, "teams", FindingTestData.T0.AddTicks(1)),
            Entry(finding with { Severity = FindingSeverity.Warning, Message = "as it was" }, "pagerduty", FindingTestData.T0.AddSeconds(1)),
        };

        var saved = await Store.SaveAsync(finding, entries, Ct);
        var listed = await Store.ListOutboxAsync(finding.Id, Ct);

        Assert.NotNull(await Store.GetAsync(finding.Id, Ct));
        Assert.Equal(entries.Select(e => e.Id), listed.Select(e => e.Id));
        for (var i = 0; i < entries.Length; i++)
        {
            AssertSameEntry(entries[i], listed[i]);
            Assert.False(string.IsNullOrEmpty(listed[i].Version));
        }

        Assert.Equal("as it was", listed[2].Notification.Finding.Message);
        Assert.Equal(FindingSeverity.Warning, listed[2].Notification.Finding.Severity);
        Assert.Equal(finding.Id, listed[2].Notification.DedupKey);
        Assert.NotEqual(saved.Version, listed[0].Version);
    }

    [Fact]
    public async Task SaveAsync_MaximumOutboxEntries_SavesThemAll()
    {
        var finding = Full(NewPool());
        var entries = Enumerable.Range(0, FindingLimits.MaxOutboxEntriesPerSave)
            .Select(i => Entry(finding, "sink" + i, FindingTestData.T0.AddTicks(i)))
            .ToArray();

        await Store.SaveAsync(finding, entries, Ct);

        Assert.Equal(99, (await Store.ListOutboxAsync(finding.Id, Ct)).Count);
    }

    [Fact]
    public async Task SaveAsync_MoreOutboxEntriesThanOneTransactionHolds_ThrowsArgumentAndSavesNothing()
    {
        var finding = Full(NewPool());
        var entries = Enumerable.Range(0, 100).Select(i => Entry(finding, "sink" + i, FindingTestData.T0.AddTicks(i))).ToArray();

        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(finding, entries, Ct));

        Assert.Null(await Store.GetAsync(finding.Id, Ct));
        Assert.Empty(await Store.ListOutboxAsync(finding.Id, Ct));
    }

    [Fact]
    public async Task SaveAsync_TooLargeForOneTransaction_ThrowsArgumentAndSavesNothing()
    {
        var big = new string('x', FindingLimits.MaxTextLength);
        var finding = Full(NewPool()) with { Message = big, Remedy = big, Evidence = Full(NewPool()).Evidence with { ErrorMessage = big, SizeSupport = big } };
        var entries = Enumerable.Range(0, 30).Select(i => Entry(finding, "sink" + i, FindingTestData.T0.AddTicks(i))).ToArray();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(finding, entries, Ct));

        Assert.Contains(FindingLimits.MaxSaveLength.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Null(await Store.GetAsync(finding.Id, Ct));
        await Store.SaveAsync(finding, entries[..3], Ct);
        Assert.Equal(3, (await Store.ListOutboxAsync(finding.Id, Ct)).Count);
    }

    [Fact]
    public async Task SaveAsync_OutboxEntryOfAnotherFinding_ThrowsArgumentAndSavesNothing()
    {
        var pool = NewPool();
        var finding = Full(pool);
        var sibling = Full(pool, FindingKind.SizeChangeRefused);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(finding, [Entry(finding), Entry(sibling, "teams")], Ct));

        Assert.Null(await Store.GetAsync(finding.Id, Ct));
        Assert.Empty(await Store.ListOutboxAsync(sibling.Id, Ct));
    }

    [Fact]
    public async Task SaveAsync_SameOutboxIdTwice_ThrowsArgument()
    {
        var finding = Full(NewPool());
        var entry = Entry(finding);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(finding, [entry, entry with { Sink = "teams" }], Ct));

        Assert.Null(await Store.GetAsync(finding.Id, Ct));
    }

    [Fact]
    public async Task SaveAsync_IdNotDerivedFromPoolAndKind_ThrowsArgument()
    {
        var pool = NewPool();
        var wrongKind = Full(pool) with { Id = Finding.IdFor(pool, FindingKind.SizeChanged) };
        var madeUp = Full(pool) with { Id = "fnd-000000000000000000000000" };

        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(wrongKind, [], Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.SaveAsync(madeUp, [], Ct));

        Assert.Empty(await Store.ListForPoolAsync(pool, Ct));
    }

    [Fact]
    public async Task SaveAsync_PoolIdDiffersOnlyInCase_IsTheSameFinding()
    {
        var subscription = Guid.NewGuid().ToString();
        var pool = ScaleSetId.Create(subscription, "RG-Upper", "VMSS-Pool");
        var sameInOtherCase = ScaleSetId.Create(subscription.ToUpperInvariant(), "rg-upper", "vmss-pool");
        var saved = await Store.SaveAsync(Full(pool), [], Ct);

        Assert.Equal(saved.Id, Full(sameInOtherCase).Id);
        Assert.Equal(pool.Value, (await Store.GetAsync(saved.Id, Ct))?.PoolId.Value);
        Assert.Single(await Store.ListForPoolAsync(sameInOtherCase, Ct));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SaveAsync(Full(sameInOtherCase), [], Ct));
    }

    [Fact]
    public async Task SaveAsync_ConcurrentInsertsOfSameNewFinding_ExactlyOneWinsWithItsOutbox()
    {
        var pool = NewPool();
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            var finding = Full(pool) with { Message = $"writer{i}" };
            start.Wait(Ct);
            return await Store.SaveAsync(finding, [Entry(finding, $"sink{i}"), Entry(finding, $"other{i}")], Ct);
        }, Ct)).ToArray();

        start.Set();
        var outcomes = await SettleAsync(tasks);

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        Assert.All(outcomes.Where(o => o.Result is null), o => Assert.IsType<ConcurrencyConflictException>(o.Error));
        var read = await Store.GetAsync(winner.Id, Ct);
        Assert.Equal(winner.Message, read?.Message);
        Assert.Equal(winner.Version, read?.Version);
        var writer = winner.Message["writer".Length..];
        Assert.Equal(new[] { "other" + writer, "sink" + writer }, (await Store.ListOutboxAsync(winner.Id, Ct)).Select(e => e.Sink).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SaveAsync_ConcurrentReplacesWithSameVersion_ExactlyOneWins()
    {
        var inserted = await Store.SaveAsync(Full(NewPool()), [], Ct);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait(Ct);
            return await Store.SaveAsync(inserted with { Message = $"writer{i}" }, [Entry(inserted, $"sink{i}")], Ct);
        }, Ct)).ToArray();

        start.Set();
        var outcomes = await SettleAsync(tasks);

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        Assert.All(outcomes.Where(o => o.Result is null), o => Assert.IsType<ConcurrencyConflictException>(o.Error));
        Assert.Equal(winner.Message, (await Store.GetAsync(inserted.Id, Ct))?.Message);
        Assert.Equal("sink" + winner.Message["writer".Length..], Assert.Single(await Store.ListOutboxAsync(inserted.Id, Ct)).Sink);
    }

    [Fact]
    public async Task SaveAsync_InputListChangedAfterSave_StoredListUnchanged()
    {
        var sizes = new List<string> { "Standard_D2s_v5" };
        var finding = Full(NewPool()) with { Evidence = new FindingEvidence { CurrentSizes = sizes } };

        var saved = await Store.SaveAsync(finding, [], Ct);
        sizes.Add("Standard_B1s");

        Assert.Equal(["Standard_D2s_v5"], (await Store.GetAsync(finding.Id, Ct))?.Evidence.CurrentSizes);
        Assert.Equal(["Standard_D2s_v5"], saved.Evidence.CurrentSizes);
    }

    // ---- list for a pool -------------------------------------------------------------------------------------------

    [Fact]
    public async Task ListForPoolAsync_FindingsOfSeveralPools_ReturnsThatPoolsOpenAndResolvedOrderedById()
    {
        var subscription = Guid.NewGuid().ToString();
        var pool = ScaleSetId.Create(subscription, "rg", "pool1");
        var mine = new[]
        {
            Full(pool, FindingKind.AcceleratedNetworkingLost),
            Full(pool, FindingKind.SizeChanged) with { Status = FindingStatus.Resolved },
            Minimal(pool, FindingKind.InstancesNotOnLatestModel),
        };
        foreach (var finding in mine)
        {
            await Store.SaveAsync(finding, [], Ct);
        }

        await Store.SaveAsync(Full(ScaleSetId.Create(subscription, "rg", "pool")), [], Ct);
        await Store.SaveAsync(Full(ScaleSetId.Create(subscription, "rg", "pool10")), [], Ct);
        await Store.SaveAsync(Full(NewPool()), [], Ct);

        var listed = await Store.ListForPoolAsync(ScaleSetId.Parse(pool.Value.ToUpperInvariant()), Ct);

        Assert.Equal(mine.Select(f => f.Id).Order(StringComparer.Ordinal), listed.Select(f => f.Id));
        Assert.Contains(listed, f => f.Status == FindingStatus.Resolved);
        Assert.All(listed, f => Assert.False(string.IsNullOrEmpty(f.Version)));
        AssertSameFinding(mine[0], listed.Single(f => f.Id == mine[0].Id));
    }

    [Fact]
    public async Task ListForPoolAsync_UnknownPool_ReturnsNothing()
    {
        await Store.SaveAsync(Full(NewPool()), [], Ct);

        Assert.Empty(await Store.ListForPoolAsync(NewPool(), Ct));
    }

    // ---- list with filters -----------------------------------------------------------------------------------------

    [Fact]
    public async Task ListAsync_NoFilter_ReturnsEveryFindingOrderedById()
    {
        var seeded = await SeedAsync();

        var listed = await ToListAsync(Store.ListAsync(new FindingQuery(), Ct));

        Assert.Equal(seeded.All.Select(f => f.Id).Order(StringComparer.Ordinal), listed.Select(f => f.Id));
        Assert.Equal(6, listed.Count);
        AssertSameFinding(seeded.All[0], listed.Single(f => f.Id == seeded.All[0].Id));
    }

    [Theory]
    [InlineData(FindingStatus.Open, 4)]
    [InlineData(FindingStatus.Resolved, 2)]
    public async Task ListAsync_Status_ReturnsOnlyThatStatus(FindingStatus status, int count)
    {
        var seeded = await SeedAsync();

        var listed = await ToListAsync(Store.ListAsync(new FindingQuery(Status: status), Ct));

        Assert.Equal(count, listed.Count);
        Assert.Equal(seeded.All.Where(f => f.Status == status).Select(f => f.Id).Order(StringComparer.Ordinal), listed.Select(f => f.Id));
    }

    [Theory]
    [InlineData(FindingSeverity.Info, 6)]
    [InlineData(FindingSeverity.Warning, 4)]
    [InlineData(FindingSeverity.Critical, 2)]
    public async Task ListAsync_MinimumSeverity_ReturnsThatSeverityAndAbove(FindingSeverity minimum, int count)
    {
        var seeded = await SeedAsync();

        var listed = await ToListAsync(Store.ListAsync(new FindingQuery(MinimumSeverity: minimum), Ct));

        Assert.Equal(count, listed.Count);
        Assert.Equal(seeded.All.Where(f => f.Severity >= minimum).Select(f => f.Id).Order(StringComparer.Ordinal), listed.Select(f => f.Id));
    }

    [Fact]
    public async Task ListAsync_Subscription_ReturnsOnlyItsFindingsCaseInsensitively()
    {
        var seeded = await SeedAsync();

        var upper = await ToListAsync(Store.ListAsync(new FindingQuery(SubscriptionId: seeded.SubscriptionA.ToUpperInvariant()), Ct));
        var lower = await ToListAsync(Store.ListAsync(new FindingQuery(SubscriptionId: seeded.SubscriptionA), Ct));

        var expected = seeded.All.Where(f => f.PoolId.SubscriptionId == seeded.SubscriptionA).Select(f => f.Id).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(4, expected.Length);
        Assert.Equal(expected, upper.Select(f => f.Id));
        Assert.Equal(expected, lower.Select(f => f.Id));
    }

    [Fact]
    public async Task ListAsync_Kind_ReturnsOnlyThatKind()
    {
        var seeded = await SeedAsync();

        var listed = await ToListAsync(Store.ListAsync(new FindingQuery(Kind: FindingKind.AcceleratedNetworkingLost), Ct));

        Assert.Equal(2, listed.Count);
        Assert.All(listed, f => Assert.Equal(FindingKind.AcceleratedNetworkingLost, f.Kind));
        Assert.Equal(seeded.All.Where(f => f.Kind == FindingKind.AcceleratedNetworkingLost).Select(f => f.Id).Order(StringComparer.Ordinal), listed.Select(f => f.Id));
    }

    [Fact]
    public async Task ListAsync_Pool_ReturnsOnlyThatPoolEvenInOtherCase()
    {
        var seeded = await SeedAsync();

        var listed = await ToListAsync(Store.ListAsync(new FindingQuery(PoolId: ScaleSetId.Parse(seeded.PoolA1.Value.ToUpperInvariant())), Ct));

        Assert.Equal(seeded.All.Where(f => f.PoolId == seeded.PoolA1).Select(f => f.Id).Order(StringComparer.Ordinal), listed.Select(f => f.Id));
        Assert.Equal(2, listed.Count);
    }

    [Fact]
    public async Task ListAsync_EveryFilter_AllApply()
    {
        var seeded = await SeedAsync();
        var query = new FindingQuery(FindingStatus.Open, FindingSeverity.Warning, seeded.SubscriptionA.ToUpperInvariant(), FindingKind.AcceleratedNetworkingLost, seeded.PoolA1);

        var listed = await ToListAsync(Store.ListAsync(query, Ct));

        var only = Assert.Single(listed);
        Assert.Equal(Finding.IdFor(seeded.PoolA1, FindingKind.AcceleratedNetworkingLost), only.Id);
        Assert.Empty(await ToListAsync(Store.ListAsync(query with { Status = FindingStatus.Resolved }, Ct)));
        Assert.Empty(await ToListAsync(Store.ListAsync(query with { PoolId = seeded.PoolA2 }, Ct)));
    }

    [Fact]
    public async Task ListAsync_NothingMatches_ReturnsNothing()
    {
        await SeedAsync();

        Assert.Empty(await ToListAsync(Store.ListAsync(new FindingQuery(SubscriptionId: Guid.NewGuid().ToString()), Ct)));
        Assert.Empty(await ToListAsync(Store.ListAsync(new FindingQuery(Kind: FindingKind.AcceleratedNetworkingOnUnsupportedSize), Ct)));
    }

    // ---- due outbox entries ----------------------------------------------------------------------------------------

    [Fact]
    public async Task ListDueAsync_MixedEntries_ReturnsOnlyPendingAndDueOldestFirst()
    {
        var now = FindingTestData.T0;
        var pool = NewPool();
        var lost = Full(pool);
        var refused = Full(pool, FindingKind.SizeChangeRefused);
        var dueHourAgo = Entry(lost, "webhook", now.AddHours(-1));
        var dueNow = Entry(lost, "teams", now);
        var notYet = Entry(lost, "slack", now.AddTicks(1));
        var delivered = Entry(lost, "pagerduty", now.AddHours(-3), OutboxStatus.Delivered);
        var failed = Entry(lost, "failed", now.AddHours(-3), OutboxStatus.Failed);
        var otherFinding = Entry(refused, "webhook", now.AddHours(-2));
        await Store.SaveAsync(lost, [notYet, dueNow, delivered, dueHourAgo, failed], Ct);
        await Store.SaveAsync(refused, [otherFinding], Ct);

        var due = await Store.ListDueAsync(now, 10, Ct);

        Assert.Equal([otherFinding.Id, dueHourAgo.Id, dueNow.Id], due.Select(e => e.Id));
        AssertSameEntry(dueHourAgo, due[1]);
        Assert.All(due, e => Assert.False(string.IsNullOrEmpty(e.Version)));
    }

    [Fact]
    public async Task ListDueAsync_Max_ReturnsOnlyTheOldest()
    {
        var finding = Full(NewPool());
        var entries = new[] { 4, 1, 3, 0, 2 }.Select(m => Entry(finding, $"sink{m}", FindingTestData.T0.AddMinutes(m))).ToArray();
        await Store.SaveAsync(finding, entries, Ct);

        var due = await Store.ListDueAsync(FindingTestData.T0.AddHours(1), 2, Ct);

        Assert.Equal(["sink0", "sink1"], due.Select(e => e.Sink));
    }

    [Fact]
    public async Task ListDueAsync_SameDueTime_OrdersById()
    {
        var finding = Full(NewPool());
        var entries = new[] { "c", "a", "b" }.Select(s => Entry(finding, s) with { NextAttemptAt = FindingTestData.T0.AddMinutes(1) }).ToArray();
        await Store.SaveAsync(finding, entries, Ct);

        var due = await Store.ListDueAsync(FindingTestData.T0.AddHours(1), 10, Ct);

        Assert.Equal(entries.Select(e => e.Id).Order(StringComparer.Ordinal), due.Select(e => e.Id));
    }

    [Fact]
    public async Task ListDueAsync_NowInAnotherOffset_ComparesInstants()
    {
        var finding = Full(NewPool());
        var entry = Entry(finding, due: FindingTestData.T0);
        await Store.SaveAsync(finding, [entry], Ct);

        var atSameInstant = FindingTestData.T0.ToOffset(TimeSpan.FromHours(-5));

        Assert.Single(await Store.ListDueAsync(atSameInstant, 10, Ct));
        Assert.Empty(await Store.ListDueAsync(atSameInstant.AddTicks(-1), 10, Ct));
    }

    [Fact]
    public async Task ListDueAsync_MaxZero_ReturnsNothing()
    {
        var finding = Full(NewPool());
        await Store.SaveAsync(finding, [Entry(finding)], Ct);

        Assert.Empty(await Store.ListDueAsync(DateTimeOffset.MaxValue, 0, Ct));
    }

    [Fact]
    public async Task ListDueAsync_NegativeMax_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ListDueAsync(FindingTestData.T0, -1, Ct));
    }

    // ---- update an outbox entry ------------------------------------------------------------------------------------

    [Fact]
    public async Task UpdateOutboxAsync_CurrentVersion_ReplacesEveryFieldAndChangesVersion()
    {
        var finding = Full(NewPool());
        var other = Entry(finding, "teams");
        await Store.SaveAsync(finding, [Entry(finding), other], Ct);
        var stored = (await Store.ListOutboxAsync(finding.Id, Ct)).Single(e => e.Sink == "webhook");
        var otherBefore = (await Store.ListOutboxAsync(finding.Id, Ct)).Single(e => e.Sink == "teams");
        var delivered = stored with
        {
            Status = OutboxStatus.Delivered,
            Attempts = 3,
            DeliveredAt = FindingTestData.T0.AddMinutes(2),
            NextAttemptAt = FindingTestData.T0.AddMinutes(1),
            LastError = "503 then fine",
        };

        var updated = await Store.UpdateOutboxAsync(delivered, Ct);
        var listed = await Store.ListOutboxAsync(finding.Id, Ct);

        Assert.NotEqual(stored.Version, updated.Version);
        AssertSameEntry(delivered, updated);
        var read = listed.Single(e => e.Id == stored.Id);
        AssertSameEntry(delivered, read);
        Assert.Equal(updated.Version, read.Version);
        Assert.Equal(otherBefore.Version, listed.Single(e => e.Id == other.Id).Version);
        Assert.Equal(finding.Message, (await Store.GetAsync(finding.Id, Ct))?.Message);
        Assert.DoesNotContain(await Store.ListDueAsync(DateTimeOffset.MaxValue, 10, Ct), e => e.Id == stored.Id);
    }

    [Fact]
    public async Task UpdateOutboxAsync_StaleVersion_ThrowsConflictAndKeepsStored()
    {
        var finding = Full(NewPool());
        await Store.SaveAsync(finding, [Entry(finding)], Ct);
        var stored = Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct));
        var first = await Store.UpdateOutboxAsync(stored with { Attempts = 1 }, Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.UpdateOutboxAsync(stored with { Attempts = 2 }, Ct));

        var read = Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct));
        Assert.Equal(1, read.Attempts);
        Assert.Equal(first.Version, read.Version);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public async Task UpdateOutboxAsync_ConcurrentClaimers_ExactlyOneWins(int claimers)
    {
        var finding = Full(NewPool());
        await Store.SaveAsync(finding, [Entry(finding)], Ct);
        var due = Assert.Single(await Store.ListDueAsync(DateTimeOffset.MaxValue, 10, Ct));
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, claimers).Select(i => Task.Run(async () =>
        {
            start.Wait(Ct);
            return await Store.UpdateOutboxAsync(due with { Attempts = due.Attempts + 1, LastError = $"claimer{i}", NextAttemptAt = due.NextAttemptAt.AddMinutes(5) }, Ct);
        }, Ct)).ToArray();

        start.Set();
        var outcomes = await SettleAsync(tasks);

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        Assert.All(outcomes.Where(o => o.Result is null), o => Assert.IsType<ConcurrencyConflictException>(o.Error));
        var read = Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct));
        Assert.Equal(winner.LastError, read.LastError);
        Assert.Equal(winner.Version, read.Version);
        Assert.Equal(1, read.Attempts);
    }

    [Fact]
    public async Task UpdateOutboxAsync_EntryNeverSaved_ThrowsConflict()
    {
        var finding = Full(NewPool());
        var saved = await Store.SaveAsync(finding, [Entry(finding)], Ct);
        var stored = Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct));

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.UpdateOutboxAsync(Entry(finding, "teams") with { Version = stored.Version }, Ct));

        Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct));
        Assert.Equal(saved.Version, (await Store.GetAsync(finding.Id, Ct))?.Version);
    }

    [Fact]
    public async Task UpdateOutboxAsync_NoVersion_ThrowsArgument()
    {
        var finding = Full(NewPool());
        var entry = Entry(finding);
        await Store.SaveAsync(finding, [entry], Ct);

        await Assert.ThrowsAsync<ArgumentException>(() => Store.UpdateOutboxAsync(entry with { Attempts = 5 }, Ct));

        Assert.Equal(0, Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct)).Attempts);
    }

    [Theory]
    [InlineData("~starts-with-tilde")]
    [InlineData("a/b\\c#d?e f%25")]
    [InlineData("tab\tand\u0001control")]
    [InlineData("ünïcödé 😀")]
    [InlineData(null)]
    public async Task OutboxEntry_IdThatNoTableKeyCanHoldAsIs_IsSavedListedAndUpdated(string? id)
    {
        id ??= new string('x', FindingLimits.MaxEntryIdLength);
        var finding = Full(NewPool());
        await Store.SaveAsync(finding, [Entry(finding) with { Id = id }], Ct);

        var listed = Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct));
        var due = Assert.Single(await Store.ListDueAsync(DateTimeOffset.MaxValue, 10, Ct));
        await Store.UpdateOutboxAsync(listed with { Attempts = 1 }, Ct);

        Assert.Equal(id, listed.Id);
        Assert.Equal(id, due.Id);
        Assert.Equal(1, Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct)).Attempts);
    }

    // ---- outbox of a finding ---------------------------------------------------------------------------------------

    [Fact]
    public async Task ListOutboxAsync_SeveralSavesAndFindings_ReturnsEveryEntryOfThatFindingOldestFirst()
    {
        var pool = NewPool();
        var finding = Full(pool);
        var sibling = Full(pool, FindingKind.SizeChanged);
        var first = Entry(finding, "webhook", FindingTestData.T0);
        var second = Entry(finding, "teams", FindingTestData.T0.AddSeconds(1));
        var third = Entry(finding, "aaa", FindingTestData.T0.AddSeconds(2), OutboxStatus.Failed);
        var saved = await Store.SaveAsync(finding, [second], Ct);
        await Store.SaveAsync(sibling, [Entry(sibling, "webhook", FindingTestData.T0.AddTicks(1))], Ct);
        await Store.SaveAsync(saved, [third, first], Ct);
        var stored = (await Store.ListOutboxAsync(finding.Id, Ct)).Single(e => e.Id == first.Id);
        await Store.UpdateOutboxAsync(stored with { Status = OutboxStatus.Delivered, DeliveredAt = FindingTestData.T0 }, Ct);

        var listed = await Store.ListOutboxAsync(finding.Id, Ct);

        Assert.Equal([first.Id, second.Id, third.Id], listed.Select(e => e.Id));
        Assert.Equal([OutboxStatus.Delivered, OutboxStatus.Pending, OutboxStatus.Failed], listed.Select(e => e.Status));
        Assert.All(listed, e => Assert.Equal(finding.Id, e.Notification.Finding.Id));
    }

    [Fact]
    public async Task ListOutboxAsync_UnknownFinding_ReturnsNothing()
    {
        var finding = Full(NewPool());
        await Store.SaveAsync(finding, [Entry(finding)], Ct);

        Assert.Empty(await Store.ListOutboxAsync(Finding.IdFor(NewPool(), FindingKind.SizeChanged), Ct));
        Assert.Empty(await Store.ListOutboxAsync("x' or 'a' eq 'a", Ct));
    }

    // ---- large evidence ------------------------------------------------------------------------------------------

    [Fact]
    public async Task SaveAsync_LongTextAndLongLists_KeepsTheLimitsWithMarkersInFindingAndOutbox()
    {
        var errorMessage = string.Concat(Enumerable.Range(0, 12_000).Select(i => $"{i:D5}-😀-é;"));
        var eventIds = Enumerable.Range(0, 500).Select(i => $"event-{i}").ToArray();
        var finding = Full(NewPool()) with
        {
            Evidence = Full(NewPool()).Evidence with { ErrorMessage = errorMessage, EventIds = eventIds, CurrentSizes = [new string('s', 1_000)] },
        };

        var saved = await Store.SaveAsync(finding, [Entry(finding)], Ct);
        var read = await Store.GetAsync(finding.Id, Ct);
        var notified = Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct)).Notification.Finding;

        Assert.NotNull(read);
        var kept = read.Evidence.ErrorMessage!;
        Assert.InRange(kept.Length, FindingLimits.MaxTextLength - 64, FindingLimits.MaxTextLength);
        Assert.StartsWith(errorMessage[..(FindingLimits.MaxTextLength - 64)], kept, StringComparison.Ordinal);
        Assert.Contains(StateLimits.TruncationMarkerStart, kept, StringComparison.Ordinal);
        Assert.Equal(eventIds[^FindingLimits.MaxListItems..], read.Evidence.EventIds);
        Assert.Equal(FindingLimits.MaxListItemLength, Assert.Single(read.Evidence.CurrentSizes).Length);
        Assert.Equal(finding.Message, read.Message);
        AssertSameFinding(saved, read);
        AssertSameFinding(read, notified);
    }

    [Fact]
    public async Task SaveAsync_TextAtTheLimit_RoundTripsExactly()
    {
        var text = string.Concat(Enumerable.Repeat("ab😀é", FindingLimits.MaxTextLength / 5)).PadRight(FindingLimits.MaxTextLength, 'z');
        Assert.Equal(FindingLimits.MaxTextLength, text.Length);
        var finding = Full(NewPool()) with { Evidence = Full(NewPool()).Evidence with { ErrorMessage = text } };

        await Store.SaveAsync(finding, [Entry(finding)], Ct);

        Assert.Equal(text, (await Store.GetAsync(finding.Id, Ct))?.Evidence.ErrorMessage);
        Assert.Equal(text, Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct)).Notification.Finding.Evidence.ErrorMessage);
    }

    [Fact]
    public async Task SaveAsync_EveryTextFieldLong_IsCutFurtherSoTheFindingFitsOneEntity()
    {
        var big = string.Concat(Enumerable.Repeat("0123456789", 2_000));
        var finding = Full(NewPool()) with
        {
            Message = big,
            Consequence = big,
            Remedy = big,
            Evidence = new FindingEvidence
            {
                SizeSupport = big,
                CorrelationId = big,
                ErrorCode = big,
                ErrorMessage = big,
                Cluster = big,
                Location = big,
                EventIds = Enumerable.Range(0, 300).Select(i => $"{i}-{big[..500]}").ToArray(),
            },
        };

        await Store.SaveAsync(finding, [Entry(finding)], Ct);
        var read = await Store.GetAsync(finding.Id, Ct);

        Assert.NotNull(read);
        Assert.InRange(FindingJson.Serialize(read).Length, 1, FindingLimits.MaxSerializedLength);
        Assert.All(new[] { read.Message, read.Remedy, read.Evidence.ErrorMessage!, read.Evidence.Location! }, text =>
        {
            Assert.StartsWith("0123456789", text, StringComparison.Ordinal);
            Assert.Contains(StateLimits.TruncationMarkerStart, text, StringComparison.Ordinal);
            Assert.True(text.Length < FindingLimits.MaxTextLength);
        });
        Assert.Equal("299-0123456789", read.Evidence.EventIds[^1][..14]);
        AssertSameFinding(read, Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct)).Notification.Finding);
    }

    [Fact]
    public async Task SaveAsync_TextJsonEscapesHeavily_StillFitsAndRoundTrips()
    {
        // Control characters take six chars each in JSON: 8,000 of them in three fields is 144,000 chars of JSON.
        var control = new string('\u0001', FindingLimits.MaxTextLength);
        var finding = Full(NewPool()) with { Message = control, Evidence = Full(NewPool()).Evidence with { ErrorMessage = control, SizeSupport = control } };

        await Store.SaveAsync(finding, [Entry(finding)], Ct);
        var read = await Store.GetAsync(finding.Id, Ct);

        Assert.NotNull(read);
        Assert.InRange(FindingJson.Serialize(read).Length, 1, FindingLimits.MaxSerializedLength);
        Assert.StartsWith("\u0001\u0001\u0001", read.Message, StringComparison.Ordinal);
        AssertSameFinding(read, Assert.Single(await Store.ListOutboxAsync(finding.Id, Ct)).Notification.Finding);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /// <summary>Six findings: subscription A has pools A1 and A2 (two findings each), subscription B one pool with two.</summary>
    private async Task<Seeded> SeedAsync()
    {
        var subscriptionA = Guid.NewGuid().ToString();
        var subscriptionB = Guid.NewGuid().ToString();
        var poolA1 = ScaleSetId.Create(subscriptionA, "rg-a", "pool1");
        var poolA2 = ScaleSetId.Create(subscriptionA, "rg-a", "pool2");
        var poolB1 = ScaleSetId.Create(subscriptionB, "rg-b", "pool1");
        Finding Make(ScaleSetId pool, FindingKind kind, FindingSeverity severity, FindingStatus status) =>
            Full(pool, kind) with { Severity = severity, Status = status };
        Finding[] all =
        [
            Make(poolA1, FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, FindingStatus.Open),
            Make(poolA1, FindingKind.SizeChanged, FindingSeverity.Info, FindingStatus.Resolved),
            Make(poolA2, FindingKind.SizeChangeRefused, FindingSeverity.Warning, FindingStatus.Open),
            Make(poolA2, FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Info, FindingStatus.Open),
            Make(poolB1, FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, FindingStatus.Resolved),
            Make(poolB1, FindingKind.InstancesNotOnLatestModel, FindingSeverity.Warning, FindingStatus.Open),
        ];
        foreach (var finding in all)
        {
            await Store.SaveAsync(finding, [Entry(finding)], Ct);
        }

        return new Seeded(all, subscriptionA, poolA1, poolA2);
    }

    private sealed record Seeded(Finding[] All, string SubscriptionA, ScaleSetId PoolA1, ScaleSetId PoolA2);
}
