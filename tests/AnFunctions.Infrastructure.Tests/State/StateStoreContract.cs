using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.InMemory.State;

namespace AnFunctions.Infrastructure.Tests.State;

/// <summary>
/// The behaviour every <see cref="IStateStore"/> must have. Each concrete class gives a fresh, empty store per test.
/// </summary>
public abstract partial class StateStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 14, 9, 26, 53, TimeSpan.FromHours(2));

    /// <summary>The pool the processed-event tests' events are about (each test's event ids are its own).</summary>
    private static readonly ScaleSetId EventPool = ScaleSetId.Create("5e1f0f2a-0000-4000-8000-00000000e0e0", "rg-events", "pool-events");

    protected abstract IStateStore Store { get; }

    private static CancellationToken Ct => CancellationToken.None;

    // ---- pools ---------------------------------------------------------------------------------------------------

    [Fact]
    public async Task GetPoolAsync_Missing_ReturnsNull()
    {
        Assert.Null(await Store.GetPoolAsync(NewId(), Ct));
    }

    [Fact]
    public async Task SavePoolAsync_Insert_RoundTripsEveryField()
    {
        var record = FullPool(NewId());

        var saved = await Store.SavePoolAsync(record, Ct);
        var read = await Store.GetPoolAsync(record.Id, Ct);

        Assert.NotNull(read);
        AssertSamePool(record, saved);
        AssertSamePool(record, read);
        Assert.Equal(record.Id.Value, read.Id.Value);
        Assert.False(string.IsNullOrEmpty(saved.Version));
        Assert.Equal(saved.Version, read.Version);
    }

    public static TheoryData<PendingWriteState> PendingWriteStates() => new(Enum.GetValues<PendingWriteState>());

    [Theory]
    [MemberData(nameof(PendingWriteStates))]
    public async Task SavePoolAsync_PendingWrite_RoundTripsEveryFieldInEveryState(PendingWriteState state)
    {
        var record = FullPool(NewId()) with { PendingWrite = FullPendingWrite() with { State = state } };

        var saved = await Store.SavePoolAsync(record, Ct);
        var read = await Store.GetPoolAsync(record.Id, Ct);

        Assert.NotNull(read);
        AssertSamePool(record, saved);
        AssertSamePool(record, read);
        Assert.Equal(record.PendingWrite, read.PendingWrite);
    }

    [Fact]
    public async Task SavePoolAsync_PendingWriteOnlyRequiredFields_OptionalOnesComeBackNull()
    {
        var pending = new PendingWrite { Id = "intent-1", StartedAt = T0.AddSeconds(1), Attempt = 1 };
        var record = FullPool(NewId()) with { PendingWrite = pending };

        await Store.SavePoolAsync(record, Ct);
        var read = await Store.GetPoolAsync(record.Id, Ct);

        Assert.Equal(pending, read!.PendingWrite);
        Assert.Equal(PendingWriteState.Intended, read.PendingWrite!.State);
        Assert.Null(read.PendingWrite.OperationUrl);
        Assert.Null(read.PendingWrite.AcceptedAt);
        Assert.Null(read.PendingWrite.ErrorCode);
    }

    [Fact]
    public async Task SavePoolAsync_PendingWriteConcluded_ASaveWithoutItClearsIt()
    {
        var inserted = await Store.SavePoolAsync(FullPool(NewId()) with { PendingWrite = FullPendingWrite() }, Ct);

        await Store.SavePoolAsync(inserted with { PendingWrite = null, EnabledByApp = true }, Ct);
        var read = await Store.GetPoolAsync(inserted.Id, Ct);

        Assert.Null(read!.PendingWrite);
        Assert.True(read.EnabledByApp);
    }

    [Fact]
    public async Task SavePoolAsync_TwoWritersRecordAnIntentForANewPool_OnlyOneInsertWins()
    {
        var id = NewId();
        var first = FullPool(id) with { PendingWrite = FullPendingWrite() with { Id = "writer-1" } };
        var second = FullPool(id) with { PendingWrite = FullPendingWrite() with { Id = "writer-2" } };

        await Store.SavePoolAsync(first, Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SavePoolAsync(second, Ct));
        Assert.Equal("writer-1", (await Store.GetPoolAsync(id, Ct))!.PendingWrite!.Id);
    }

    [Fact]
    public async Task SavePoolAsync_DatesWithOffsets_SameInstantComesBackInUtc()
    {
        var record = FullPool(NewId()) with
        {
            TimeCreated = new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.FromHours(-8)).AddTicks(1234567),
            FirstSeen = new DateTimeOffset(2026, 1, 1, 7, 0, 0, TimeSpan.FromHours(5.5)).AddTicks(1),
        };

        await Store.SavePoolAsync(record, Ct);
        var read = await Store.GetPoolAsync(record.Id, Ct);

        Assert.NotNull(read);
        Assert.Equal(record.TimeCreated!.Value.UtcTicks, read.TimeCreated!.Value.UtcTicks);
        Assert.Equal(record.FirstSeen.UtcTicks, read.FirstSeen.UtcTicks);
        Assert.Equal(TimeSpan.Zero, read.TimeCreated.Value.Offset);
        Assert.Equal(TimeSpan.Zero, read.FirstSeen.Offset);
        Assert.Equal(TimeSpan.Zero, read.LastSeen.Offset);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [InlineData(null)]
    public async Task SavePoolAsync_AcceleratedNetworkingAtCreation_RoundTripsTrueFalseAndNull(bool? value)
    {
        var record = FullPool(NewId()) with { AcceleratedNetworkingAtCreation = value };

        await Store.SavePoolAsync(record, Ct);
        var read = await Store.GetPoolAsync(record.Id, Ct);

        Assert.NotNull(read);
        Assert.Equal(value, read.AcceleratedNetworkingAtCreation);
    }

    [Fact]
    public async Task SavePoolAsync_OptionalFieldsNull_RoundTripsNullsAndEmptyList()
    {
        var record = new PoolRecord
        {
            Id = NewId(),
            Location = "westeurope",
            VmSizes = [],
            FirstSeen = T0,
            LastSeen = T0,
        };

        await Store.SavePoolAsync(record, Ct);
        var read = await Store.GetPoolAsync(record.Id, Ct);

        Assert.NotNull(read);
        AssertSamePool(record, read);
        Assert.Empty(read.VmSizes);
        Assert.Null(read.AcceleratedNetworkingAtCreation);
        Assert.Null(read.TimeCreated);
        Assert.Null(read.EnabledAt);
        Assert.Null(read.InstancesNotOnLatestModel);
        Assert.Null(read.Instances);
        Assert.Null(read.InstancesCheckedAt);
        Assert.Null(read.PendingWrite);
        Assert.Null(read.DeletedAt);
        Assert.Equal(PoolStatus.Active, read.Status);
    }

    [Fact]
    public async Task SavePoolAsync_ReplaceWithCurrentVersion_SavesAndChangesVersion()
    {
        var inserted = await Store.SavePoolAsync(FullPool(NewId()), Ct);
        var changed = inserted with
        {
            VmSizes = ["Standard_D4s_v5"],
            AcceleratedNetworking = false,
            AcceleratedNetworkingAtCreation = null,
            EnabledAt = null,
            Status = PoolStatus.Deleted,
            DeletedAt = T0.AddDays(3),
        };

        var replaced = await Store.SavePoolAsync(changed, Ct);
        var read = await Store.GetPoolAsync(changed.Id, Ct);

        Assert.NotEqual(inserted.Version, replaced.Version);
        Assert.NotNull(read);
        Assert.Equal(replaced.Version, read.Version);
        AssertSamePool(changed, read);
    }

    [Fact]
    public async Task SavePoolAsync_ReplaceWithStaleVersion_ThrowsConcurrencyConflictAndKeepsStored()
    {
        var inserted = await Store.SavePoolAsync(FullPool(NewId()), Ct);
        var first = await Store.SavePoolAsync(inserted with { Location = "first" }, Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SavePoolAsync(inserted with { Location = "second" }, Ct));

        var read = await Store.GetPoolAsync(inserted.Id, Ct);
        Assert.NotNull(read);
        Assert.Equal("first", read.Location);
        Assert.Equal(first.Version, read.Version);
    }

    [Fact]
    public async Task SavePoolAsync_InsertWhenExists_ThrowsConcurrencyConflictAndKeepsFirst()
    {
        var id = NewId();
        await Store.SavePoolAsync(FullPool(id) with { Location = "first" }, Ct);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SavePoolAsync(FullPool(id) with { Location = "second" }, Ct));

        Assert.Equal("first", (await Store.GetPoolAsync(id, Ct))?.Location);
    }

    // ---- many pools at once (the audit) --------------------------------------------------------------------------

    [Fact]
    public async Task SavePoolsAsync_ManyInsertsAndReplacesOverTwoSubscriptions_SavesEveryOneWithItsVersion()
    {
        // 130 in one subscription: more than one entity-group transaction's 100.
        var first = Guid.NewGuid().ToString();
        var second = Guid.NewGuid().ToString();
        var existing = await Store.SavePoolAsync(FullPool(ScaleSetId.Create(first, "rg", "existing")), Ct);
        var records = Enumerable.Range(0, 130).Select(i => FullPool(ScaleSetId.Create(first, "rg", $"pool{i:D3}")))
            .Concat(Enumerable.Range(0, 20).Select(i => FullPool(ScaleSetId.Create(second, "rg", $"pool{i:D3}"))))
            .Append(existing with { Location = "moved" })
            .ToList();

        var results = await Store.SavePoolsAsync(records.Select(r => new PoolWrite(r)).ToList(), Ct);

        Assert.Equal(records.Select(r => r.Id), results.Select(r => r.Requested.Id));
        Assert.All(results, r => Assert.Null(r.Conflict));
        foreach (var result in results)
        {
            var read = await Store.GetPoolAsync(result.Requested.Id, Ct);
            Assert.NotNull(read);
            AssertSamePool(result.Requested, read);
            Assert.Equal(result.Saved!.Version, read.Version);
        }

        Assert.NotEqual(existing.Version, results[^1].Saved!.Version);
        Assert.Equal(131, await CountAsync(Store.ListPoolsAsync(first, Ct)));
    }

    [Fact]
    public async Task SavePoolsAsync_StaleVersionAndDuplicateInsertAmongMany_RefusesOnlyThoseAndSavesTheRest()
    {
        var subscription = Guid.NewGuid().ToString();
        var inserted = await Store.SavePoolAsync(FullPool(ScaleSetId.Create(subscription, "rg", "raced")), Ct);
        var current = await Store.SavePoolAsync(inserted with { Location = "current" }, Ct);
        var taken = await Store.SavePoolAsync(FullPool(ScaleSetId.Create(subscription, "rg", "taken")) with { Location = "first" }, Ct);
        var fresh = Enumerable.Range(0, 40).Select(i => FullPool(ScaleSetId.Create(subscription, "rg", $"fresh{i:D2}"))).ToList();
        var records = fresh.Take(20)
            .Append(inserted with { Location = "stale" })
            .Concat(fresh.Skip(20))
            .Append(FullPool(taken.Id) with { Location = "second" })
            .ToList();

        var results = await Store.SavePoolsAsync(records.Select(r => new PoolWrite(r)).ToList(), Ct);

        Assert.IsType<ConcurrencyConflictException>(results[20].Conflict);
        Assert.Null(results[20].Saved);
        Assert.IsType<ConcurrencyConflictException>(results[^1].Conflict);
        Assert.All(results.Where((_, i) => i != 20 && i != results.Count - 1), r => Assert.NotNull(r.Saved));
        Assert.Equal("current", (await Store.GetPoolAsync(inserted.Id, Ct))?.Location);
        Assert.Equal(current.Version, (await Store.GetPoolAsync(inserted.Id, Ct))?.Version);
        Assert.Equal("first", (await Store.GetPoolAsync(taken.Id, Ct))?.Location);
        foreach (var pool in fresh)
        {
            Assert.NotNull(await Store.GetPoolAsync(pool.Id, Ct));
        }
    }

    [Fact]
    public async Task SavePoolsAsync_Nothing_ReturnsNothing()
    {
        Assert.Empty(await Store.SavePoolsAsync([], Ct));
    }

    [Fact]
    public async Task SavePoolAsync_ReplaceWhenMissing_ThrowsConcurrencyConflict()
    {
        var inserted = await Store.SavePoolAsync(FullPool(NewId()), Ct);
        var other = FullPool(NewId()) with { Version = inserted.Version };

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SavePoolAsync(other, Ct));

        Assert.Null(await Store.GetPoolAsync(other.Id, Ct));
    }

    [Fact]
    public async Task SavePoolAsync_IdDiffersOnlyInCase_IsTheSamePool()
    {
        var subscription = Guid.NewGuid().ToString();
        var id = ScaleSetId.Create(subscription, "RG-Upper", "VMSS-Pool");
        var sameInOtherCase = ScaleSetId.Create(subscription.ToUpperInvariant(), "rg-upper", "vmss-pool");
        await Store.SavePoolAsync(FullPool(id), Ct);

        var read = await Store.GetPoolAsync(sameInOtherCase, Ct);

        Assert.NotNull(read);
        Assert.Equal(id.Value, read.Id.Value);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SavePoolAsync(FullPool(sameInOtherCase), Ct));
    }

    [Theory]
    [InlineData("rg.with.dots", "pool.1")]
    [InlineData("rg(with)parens", "pool(2)")]
    [InlineData("MC_rg-aks_cluster-1_westeurope", "aks-nodepool1-12345678-vmss")]
    [InlineData("rg_ünïcödé", "vmss_é")]
    [InlineData("a", "b")]
    public async Task SavePoolAsync_OddButValidNames_RoundTrip(string resourceGroup, string name)
    {
        var id = ScaleSetId.Create(Guid.NewGuid().ToString(), resourceGroup, name);
        var record = FullPool(id);

        await Store.SavePoolAsync(record, Ct);
        var read = await Store.GetPoolAsync(id, Ct);
        await Store.AppendDecisionAsync(Decision(id, T0), Ct);
        var decisions = await Store.GetDecisionsAsync(id, 10, Ct);

        Assert.NotNull(read);
        Assert.Equal(id.Value, read.Id.Value);
        Assert.Equal(resourceGroup, read.Id.ResourceGroup);
        Assert.Equal(name, read.Id.Name);
        var decision = Assert.Single(decisions);
        Assert.Equal(id.Value, decision.PoolId.Value);
        Assert.Contains(await ToListAsync(Store.ListPoolsAsync(id.SubscriptionId, Ct)), p => p.Id == id);
    }

    [Fact]
    public async Task SavePoolAsync_ConcurrentInsertsOfSamePool_ExactlyOneWins()
    {
        var id = NewId();
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait(Ct);
            return await Store.SavePoolAsync(FullPool(id) with { Location = $"writer{i}" }, Ct);
        }, Ct)).ToArray();

        start.Set();
        var outcomes = await SettleAsync(tasks);

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        Assert.All(outcomes.Where(o => o.Result is null), o => Assert.IsType<ConcurrencyConflictException>(o.Error));
        var read = await Store.GetPoolAsync(id, Ct);
        Assert.Equal(winner.Location, read?.Location);
        Assert.Equal(winner.Version, read?.Version);
    }

    [Fact]
    public async Task SavePoolAsync_ConcurrentReplacesWithSameVersion_ExactlyOneWins()
    {
        var inserted = await Store.SavePoolAsync(FullPool(NewId()), Ct);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait(Ct);
            return await Store.SavePoolAsync(inserted with { Location = $"writer{i}" }, Ct);
        }, Ct)).ToArray();

        start.Set();
        var outcomes = await SettleAsync(tasks);

        var winner = Assert.Single(outcomes, o => o.Result is not null).Result!;
        Assert.All(outcomes.Where(o => o.Result is null), o => Assert.IsType<ConcurrencyConflictException>(o.Error));
        Assert.Equal(winner.Location, (await Store.GetPoolAsync(inserted.Id, Ct))?.Location);
    }

    [Fact]
    public async Task SavePoolAsync_InputListChangedAfterSave_StoredListUnchanged()
    {
        var sizes = new List<string> { "Standard_D2s_v5" };
        var record = FullPool(NewId()) with { VmSizes = sizes };

        await Store.SavePoolAsync(record, Ct);
        sizes.Add("Standard_B1s");

        Assert.Equal(["Standard_D2s_v5"], (await Store.GetPoolAsync(record.Id, Ct))?.VmSizes);
    }

    [Fact]
    public async Task ListPoolsAsync_NoSubscription_ReturnsEveryPool()
    {
        var ids = new[] { NewId(), NewId(), NewId() };
        foreach (var id in ids)
        {
            await Store.SavePoolAsync(FullPool(id), Ct);
        }

        var pools = await ToListAsync(Store.ListPoolsAsync(null, Ct));

        Assert.Equal(ids.Select(i => i.Key).Order(), pools.Select(p => p.Id.Key).Order());
        Assert.All(pools, p => Assert.False(string.IsNullOrEmpty(p.Version)));
    }

    [Fact]
    public async Task ListPoolsAsync_Subscription_ReturnsOnlyItsPoolsCaseInsensitively()
    {
        var subscription = Guid.NewGuid().ToString();
        var mine = new[] { ScaleSetId.Create(subscription, "rg1", "a"), ScaleSetId.Create(subscription, "rg2", "b") };
        await Store.SavePoolAsync(FullPool(mine[0]), Ct);
        await Store.SavePoolAsync(FullPool(mine[1]), Ct);
        await Store.SavePoolAsync(FullPool(NewId()), Ct);

        var upper = await ToListAsync(Store.ListPoolsAsync(subscription.ToUpperInvariant(), Ct));
        var lower = await ToListAsync(Store.ListPoolsAsync(subscription, Ct));

        Assert.Equal(mine.Select(i => i.Key).Order(), upper.Select(p => p.Id.Key).Order());
        Assert.Equal(mine.Select(i => i.Key).Order(), lower.Select(p => p.Id.Key).Order());
        AssertSamePool(FullPool(mine[0]), upper.Single(p => p.Id == mine[0]));
    }

    [Fact]
    public async Task ListPoolsAsync_UnknownSubscription_ReturnsNothing()
    {
        await Store.SavePoolAsync(FullPool(NewId()), Ct);

        Assert.Empty(await ToListAsync(Store.ListPoolsAsync(Guid.NewGuid().ToString(), Ct)));
    }

    // ---- processed events ----------------------------------------------------------------------------------------

    [Fact]
    public async Task GetProcessedEventAsync_Missing_ReturnsNull()
    {
        Assert.Null(await Store.GetProcessedEventAsync(EventPool, Guid.NewGuid().ToString(), Ct));
    }

    [Fact]
    public async Task MarkEventProcessedAsync_Then_GetReturnsEveryField()
    {
        var processed = new ProcessedEvent(Guid.NewGuid().ToString(), "Microsoft.Resources.ResourceWriteSuccess",
            EventPool.Value, T0, "EnableAcceleratedNetworking");

        await Store.MarkEventProcessedAsync(processed, Ct);
        var read = await Store.GetProcessedEventAsync(EventPool, processed.EventId, Ct);

        Assert.Equal(processed, read);
        Assert.Equal(TimeSpan.Zero, read!.ProcessedAt.Offset);
    }

    [Fact]
    public async Task MarkEventProcessedAsync_Twice_KeepsTheFirst()
    {
        var id = Guid.NewGuid().ToString();
        var first = new ProcessedEvent(id, "type", EventPool.Value, T0, "first");

        await Store.MarkEventProcessedAsync(first, Ct);
        await Store.MarkEventProcessedAsync(first with { Outcome = "second", ProcessedAt = T0.AddMinutes(5) }, Ct);

        Assert.Equal(first, await Store.GetProcessedEventAsync(EventPool, id, Ct));
    }

    [Theory]
    [InlineData("a/b\\c#d?e")]
    [InlineData("with space and %25 and ~tilde")]
    [InlineData("tab\tand\u0001control")]
    [InlineData("(parens).and.dots")]
    [InlineData("")]
    public async Task MarkEventProcessedAsync_IdWithForbiddenKeyCharacters_RoundTrips(string suffix)
    {
        var id = Guid.NewGuid() + suffix;

        await Store.MarkEventProcessedAsync(new ProcessedEvent(id, "type", EventPool.Value, T0, "ok"), Ct);

        Assert.Equal(id, (await Store.GetProcessedEventAsync(EventPool, id, Ct))?.EventId);
        Assert.Null(await Store.GetProcessedEventAsync(EventPool, id + "x", Ct));
    }

    [Fact]
    public async Task GetProcessedEventAsync_IdDiffersInCase_IsAnotherEvent()
    {
        var id = "ABC-" + Guid.NewGuid();
        await Store.MarkEventProcessedAsync(new ProcessedEvent(id, "type", EventPool.Value, T0, "ok"), Ct);

        Assert.Null(await Store.GetProcessedEventAsync(EventPool, id.ToLowerInvariant(), Ct));
    }

    [Fact]
    public async Task MarkEventProcessedAsync_VeryLongId_RoundTrips()
    {
        var id = Guid.NewGuid() + new string('x', 2_000);

        await Store.MarkEventProcessedAsync(new ProcessedEvent(id, "type", EventPool.Value, T0, "ok"), Ct);

        Assert.Equal(id, (await Store.GetProcessedEventAsync(EventPool, id, Ct))?.EventId);
        Assert.Null(await Store.GetProcessedEventAsync(EventPool, id[..^1], Ct));
    }

    [Fact]
    public async Task GetProcessedEventAsync_AnotherPool_ReturnsNull()
    {
        var id = Guid.NewGuid().ToString();
        await Store.MarkEventProcessedAsync(new ProcessedEvent(id, "type", EventPool.Value, T0, "ok"), Ct);

        Assert.Null(await Store.GetProcessedEventAsync(NewId(), id, Ct));
        Assert.NotNull(await Store.GetProcessedEventAsync(ScaleSetId.Parse(EventPool.Value.ToUpperInvariant()), id, Ct));
    }

    // ---- a record with its decision and its event's mark ---------------------------------------------------------

    [Fact]
    public async Task SavePoolAsync_WithDecisionAndMark_WritesAllThree()
    {
        var id = NewId();
        var mark = new ProcessedEvent(Guid.NewGuid().ToString(), "Microsoft.Resources.ResourceWriteSuccess", id.Value, T0, "Handled");

        var saved = await Store.SavePoolAsync(new PoolWrite(FullPool(id), Decision(id, T0), mark), Ct);

        Assert.Equal(saved.Version, (await Store.GetPoolAsync(id, Ct))?.Version);
        AssertSameDecision(Decision(id, T0), Assert.Single(await Store.GetDecisionsAsync(id, 10, Ct)));
        Assert.Equal(mark, await Store.GetProcessedEventAsync(id, mark.EventId, Ct));
    }

    [Fact]
    public async Task SavePoolAsync_WithDecisionAndMarkOnAStaleVersion_ThrowsAndWritesNothing()
    {
        var id = NewId();
        var first = await Store.SavePoolAsync(FullPool(id), Ct);
        await Store.SavePoolAsync(first with { Location = "moved" }, Ct);
        var mark = new ProcessedEvent(Guid.NewGuid().ToString(), "type", id.Value, T0, "Handled");

        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.SavePoolAsync(new PoolWrite(first with { Location = "stale" }, Decision(id, T0), mark), Ct));

        Assert.Equal("moved", (await Store.GetPoolAsync(id, Ct))?.Location);
        Assert.Empty(await Store.GetDecisionsAsync(id, 10, Ct));
        Assert.Null(await Store.GetProcessedEventAsync(id, mark.EventId, Ct));
    }

    [Fact]
    public async Task SavePoolAsync_InsertOfAnExistingPoolWithAMark_ThrowsAndWritesNoMark()
    {
        var id = NewId();
        await Store.SavePoolAsync(FullPool(id), Ct);
        var mark = new ProcessedEvent(Guid.NewGuid().ToString(), "type", id.Value, T0, "Handled");

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SavePoolAsync(new PoolWrite(FullPool(id), null, mark), Ct));

        Assert.Null(await Store.GetProcessedEventAsync(id, mark.EventId, Ct));
    }

    [Fact]
    public async Task SavePoolAsync_EventMarkedAlready_SavesTheRecordAndDecisionAndKeepsTheFirstMark()
    {
        var id = NewId();
        var first = new ProcessedEvent(Guid.NewGuid().ToString(), "type", id.Value, T0, "Handled");
        await Store.MarkEventProcessedAsync(first, Ct);

        var saved = await Store.SavePoolAsync(new PoolWrite(FullPool(id), Decision(id, T0), first with { ProcessedAt = T0.AddMinutes(5), Outcome = "second" }), Ct);

        Assert.Equal(saved.Version, (await Store.GetPoolAsync(id, Ct))?.Version);
        Assert.Single(await Store.GetDecisionsAsync(id, 10, Ct));
        Assert.Equal(first, await Store.GetProcessedEventAsync(id, first.EventId, Ct));
    }

    [Fact]
    public async Task SavePoolsAsync_WithDecisions_WritesTheDecisionsOfTheSavedRecordsOnly()
    {
        var subscription = Guid.NewGuid().ToString();
        var raced = await Store.SavePoolAsync(FullPool(ScaleSetId.Create(subscription, "rg", "raced")), Ct);
        await Store.SavePoolAsync(raced with { Location = "current" }, Ct);
        var fresh = Enumerable.Range(0, 70).Select(i => ScaleSetId.Create(subscription, "rg", $"fresh{i:D2}")).ToList();
        var writes = fresh.Select(id => new PoolWrite(FullPool(id), Decision(id, T0)))
            .Append(new PoolWrite(raced with { Location = "stale" }, Decision(raced.Id, T0)))
            .ToList();

        var results = await Store.SavePoolsAsync(writes, Ct);

        Assert.IsType<ConcurrencyConflictException>(results[^1].Conflict);
        Assert.Empty(await Store.GetDecisionsAsync(raced.Id, 10, Ct));
        foreach (var id in fresh)
        {
            Assert.Single(await Store.GetDecisionsAsync(id, 10, Ct));
        }

        Assert.Equal(71, await CountAsync(Store.ListPoolsAsync(subscription, Ct)));
    }

    [Fact]
    public async Task ListPoolsAsync_SubscriptionWithDecisionsAndMarks_ListsItsPoolsOnly()
    {
        var subscription = Guid.NewGuid().ToString();
        // Row keys begin with the escaped resource group: letters, digits, '_', '-', '.', and '(' escaped to '%28'.
        var ids = new[] { ("rg", "a"), ("rg", "z"), ("(paren)", "p"), ("_under", "u"), ("-dash", "d"), ("0digit", "n"), ("RG.Upper", "Z") }
            .Select(n => ScaleSetId.Create(subscription, n.Item1, n.Item2)).ToList();
        foreach (var id in ids)
        {
            await Store.SavePoolAsync(new PoolWrite(FullPool(id), Decision(id, T0), new ProcessedEvent(Guid.NewGuid().ToString(), "type", id.Value, T0, "Handled")), Ct);
        }

        await Store.AppendDecisionsAsync(ids.Select(id => Decision(id, T0.AddMinutes(1))).ToList(), Ct);

        Assert.Equal(ids.Select(i => i.Key).Order(StringComparer.Ordinal),
            (await ToListAsync(Store.ListPoolsAsync(subscription, Ct))).Select(p => p.Id.Key).Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, (await ToListAsync(Store.ListPoolsAsync(null, Ct))).Count(p => p.Id.SubscriptionId == subscription));
    }

    [Fact]
    public async Task AppendDecisionsAsync_ManyOverTwoSubscriptions_EachPoolGetsItsOwnNewestFirst()
    {
        // 150 in one subscription: more than one entity-group transaction's 100.
        var first = Enumerable.Range(0, 75).Select(i => ScaleSetId.Create("1a000000-0000-4000-8000-" + Guid.NewGuid().ToString("N")[..12], "rg", "p")).Take(1)
            .Concat(Enumerable.Range(0, 74).Select(_ => NewId())).ToList();
        var subscription = Guid.NewGuid().ToString();
        var shared = Enumerable.Range(0, 75).Select(i => ScaleSetId.Create(subscription, "rg", $"pool{i:D2}")).ToList();
        var decisions = shared.SelectMany(id => new[] { Decision(id, T0), Decision(id, T0.AddMinutes(1)) with { Explanation = "newer" } })
            .Concat(first.Select(id => Decision(id, T0)))
            .ToList();

        await Store.AppendDecisionsAsync(decisions, Ct);

        foreach (var id in shared)
        {
            Assert.Equal(["newer", Decision(id, T0).Explanation], (await Store.GetDecisionsAsync(id, 10, Ct)).Select(d => d.Explanation));
        }

        foreach (var id in first)
        {
            Assert.Single(await Store.GetDecisionsAsync(id, 10, Ct));
        }

        Assert.Empty(await ToListAsync(Store.ListPoolsAsync(subscription, Ct)));
    }

    // ---- decisions -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task AppendDecisionAsync_Then_GetDecisionsRoundTripsEveryField()
    {
        var decision = Decision(NewId(), T0) with
        {
            EventId = Guid.NewGuid().ToString(),
            VmSizes = ["Standard_D2s_v5", "Standard_D4s_v5"],
            WriteBody = """{"properties":{"virtualMachineProfile":{"networkProfile":{}}}}""",
        };

        await Store.AppendDecisionAsync(decision, Ct);
        var read = Assert.Single(await Store.GetDecisionsAsync(decision.PoolId, 10, Ct));

        AssertSameDecision(decision, read);
        Assert.Equal(TimeSpan.Zero, read.At.Offset);
    }

    [Fact]
    public async Task AppendDecisionAsync_OptionalFieldsNull_RoundTripsNulls()
    {
        var decision = Decision(NewId(), T0) with { EventId = null, WriteBody = null, VmSizes = [] };

        await Store.AppendDecisionAsync(decision, Ct);
        var read = Assert.Single(await Store.GetDecisionsAsync(decision.PoolId, 10, Ct));

        AssertSameDecision(decision, read);
        Assert.Null(read.EventId);
        Assert.Null(read.WriteBody);
    }

    [Fact]
    public async Task GetDecisionsAsync_AppendedOutOfOrder_ReturnsNewestFirst()
    {
        var id = NewId();
        var times = new[] { T0.AddMinutes(5), T0, T0.AddHours(-1), T0.AddMinutes(5).AddTicks(1), T0.AddDays(1) };
        foreach (var at in times)
        {
            await Store.AppendDecisionAsync(Decision(id, at), Ct);
        }

        var decisions = await Store.GetDecisionsAsync(id, 10, Ct);

        Assert.Equal(times.OrderDescending().Select(t => t.UtcTicks), decisions.Select(d => d.At.UtcTicks));
    }

    [Fact]
    public async Task GetDecisionsAsync_Max_ReturnsOnlyTheNewest()
    {
        var id = NewId();
        for (var i = 0; i < 7; i++)
        {
            await Store.AppendDecisionAsync(Decision(id, T0.AddMinutes(i)), Ct);
        }

        var decisions = await Store.GetDecisionsAsync(id, 3, Ct);

        Assert.Equal([T0.AddMinutes(6), T0.AddMinutes(5), T0.AddMinutes(4)], decisions.Select(d => d.At));
    }

    [Fact]
    public async Task GetDecisionsAsync_MaxZero_ReturnsNothing()
    {
        var id = NewId();
        await Store.AppendDecisionAsync(Decision(id, T0), Ct);

        Assert.Empty(await Store.GetDecisionsAsync(id, 0, Ct));
    }

    [Fact]
    public async Task GetDecisionsAsync_NegativeMax_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.GetDecisionsAsync(NewId(), -1, Ct));
    }

    [Fact]
    public async Task GetDecisionsAsync_OtherPools_AreNotIncluded()
    {
        var subscription = Guid.NewGuid().ToString();
        var id = ScaleSetId.Create(subscription, "rg", "pool");
        var prefixOfName = ScaleSetId.Create(subscription, "rg", "poo");
        await Store.AppendDecisionAsync(Decision(id, T0), Ct);
        await Store.AppendDecisionAsync(Decision(prefixOfName, T0), Ct);
        await Store.AppendDecisionAsync(Decision(NewId(), T0), Ct);

        var decisions = await Store.GetDecisionsAsync(id, 10, Ct);

        Assert.Equal(id.Value, Assert.Single(decisions).PoolId.Value);
        Assert.Empty(await Store.GetDecisionsAsync(NewId(), 10, Ct));
    }

    [Fact]
    public async Task AppendDecisionAsync_SameInstant_KeepsBoth()
    {
        var id = NewId();

        await Store.AppendDecisionAsync(Decision(id, T0) with { Explanation = "one" }, Ct);
        await Store.AppendDecisionAsync(Decision(id, T0) with { Explanation = "two" }, Ct);

        var decisions = await Store.GetDecisionsAsync(id, 10, Ct);
        Assert.Equal(["one", "two"], decisions.Select(d => d.Explanation).Order());
    }

    [Fact]
    public async Task AppendDecisionAsync_ConcurrentAtSameInstant_KeepsAll()
    {
        var id = NewId();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Store.AppendDecisionAsync(Decision(id, T0) with { Explanation = $"d{i}" }, Ct)));

        Assert.Equal(20, (await Store.GetDecisionsAsync(id, 100, Ct)).Select(d => d.Explanation).Distinct().Count());
    }

    [Fact]
    public async Task AppendDecisionAsync_WriteBodyLongerThanOneTableProperty_RoundTripsExactly()
    {
        // 99,000 chars: four Table properties' worth, with surrogate pairs and accents throughout.
        var body = string.Concat(Enumerable.Range(0, 9_000).Select(i => $"{i:D5}-😀-é;"));
        Assert.True(body.Length > 3 * 32_000);
        var decision = Decision(NewId(), T0) with { WriteBody = body };

        await Store.AppendDecisionAsync(decision, Ct);

        Assert.Equal(body, Assert.Single(await Store.GetDecisionsAsync(decision.PoolId, 1, Ct)).WriteBody);
    }

    [Theory]
    [InlineData(31_999)]
    [InlineData(32_000)]
    [InlineData(64_000)]
    public async Task AppendDecisionAsync_SurrogatePairOnChunkBoundary_RoundTripsExactly(int position)
    {
        var body = new string('a', position - 1) + "😀" + new string('b', 10);
        var decision = Decision(NewId(), T0) with { WriteBody = body };

        await Store.AppendDecisionAsync(decision, Ct);

        Assert.Equal(body, Assert.Single(await Store.GetDecisionsAsync(decision.PoolId, 1, Ct)).WriteBody);
    }

    [Fact]
    public async Task AppendDecisionAsync_WriteBodyAtTheLimit_RoundTripsExactly()
    {
        var body = new string('w', StateLimits.MaxWriteBodyLength);
        var decision = Decision(NewId(), T0) with { WriteBody = body };

        await Store.AppendDecisionAsync(decision, Ct);

        Assert.Equal(body, Assert.Single(await Store.GetDecisionsAsync(decision.PoolId, 1, Ct)).WriteBody);
    }

    [Fact]
    public async Task AppendDecisionAsync_WriteBodyOverTheLimit_KeepsItsBeginningAndMarksTheCut()
    {
        var body = string.Concat(Enumerable.Repeat("0123456789", (StateLimits.MaxWriteBodyLength / 10) + 5_000));
        var decision = Decision(NewId(), T0) with { WriteBody = body };

        await Store.AppendDecisionAsync(decision, Ct);
        var stored = Assert.Single(await Store.GetDecisionsAsync(decision.PoolId, 1, Ct)).WriteBody;

        Assert.NotNull(stored);
        Assert.True(stored.Length <= StateLimits.MaxWriteBodyLength, $"stored {stored.Length} chars");
        Assert.True(stored.Length > StateLimits.MaxWriteBodyLength - 100, $"stored {stored.Length} chars");
        var markerAt = stored.IndexOf(StateLimits.TruncationMarkerStart, StringComparison.Ordinal);
        Assert.True(markerAt > 0);
        Assert.Equal(body[..markerAt], stored[..markerAt]);
        Assert.EndsWith($"of {body.Length} chars kept]", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendDecisionAsync_ExplanationOverTheLimit_IsCutWithAMarker()
    {
        var explanation = new string('e', StateLimits.MaxTextLength + 1);
        var decision = Decision(NewId(), T0) with { Explanation = explanation };

        await Store.AppendDecisionAsync(decision, Ct);
        var stored = Assert.Single(await Store.GetDecisionsAsync(decision.PoolId, 1, Ct)).Explanation;

        Assert.True(stored.Length <= StateLimits.MaxTextLength);
        Assert.StartsWith(new string('e', 1_000), stored, StringComparison.Ordinal);
        Assert.Contains(StateLimits.TruncationMarkerStart, stored, StringComparison.Ordinal);
    }

    // ---- rejected events -----------------------------------------------------------------------------------------

    [Fact]
    public async Task AddRejectedEventAsync_Then_ListReturnsEveryField()
    {
        var rejected = new RejectedEvent(Guid.NewGuid() + "/odd#id?", "not a scale set id", "{\"subject\":\"/x\"}", T0);

        await Store.AddRejectedEventAsync(rejected, Ct);
        var listed = await ToListAsync(Store.ListRejectedEventsAsync(Ct));

        var read = Assert.Single(listed);
        Assert.Equal(rejected, read);
        Assert.Equal(TimeSpan.Zero, read.RejectedAt.Offset);
    }

    [Fact]
    public async Task AddRejectedEventAsync_SameIdTwice_KeepsBoth()
    {
        var first = new RejectedEvent("same-id", "reason one", "excerpt", T0);
        var second = first with { Reason = "reason two", RejectedAt = T0.AddDays(2) };
        var third = first with { Reason = "reason three" };

        await Store.AddRejectedEventAsync(first, Ct);
        await Store.AddRejectedEventAsync(second, Ct);
        await Store.AddRejectedEventAsync(third, Ct);

        var listed = await ToListAsync(Store.ListRejectedEventsAsync(Ct));
        Assert.Equal(["reason one", "reason three", "reason two"], listed.Select(r => r.Reason).Order());
    }

    [Fact]
    public async Task AddRejectedEventAsync_EmptyIdAndLongExcerpt_IsKept()
    {
        var rejected = new RejectedEvent("", "unreadable", new string('x', StateLimits.MaxTextLength + 10), T0);

        await Store.AddRejectedEventAsync(rejected, Ct);

        var read = Assert.Single(await ToListAsync(Store.ListRejectedEventsAsync(Ct)));
        Assert.Equal("", read.EventId);
        Assert.True(read.Excerpt.Length <= StateLimits.MaxTextLength);
        Assert.Contains(StateLimits.TruncationMarkerStart, read.Excerpt, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(499)]
    [InlineData(500)]
    [InlineData(512)]
    public async Task AddRejectedEventAsync_IdJustUnderTheReadableKeyLength_IsKept(int length)
    {
        // The row key is the escaped id plus a 13-char suffix: it must still fit the 512-char key limit.
        var rejected = new RejectedEvent(new string('r', length), "why", "excerpt", T0);

        await Store.AddRejectedEventAsync(rejected, Ct);

        Assert.Equal(rejected.EventId, Assert.Single(await ToListAsync(Store.ListRejectedEventsAsync(Ct))).EventId);
    }

    [Fact]
    public async Task ListRejectedEventsAsync_Empty_ReturnsNothing()
    {
        Assert.Empty(await ToListAsync(Store.ListRejectedEventsAsync(Ct)));
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static async Task<int> CountAsync<T>(IAsyncEnumerable<T> items)
    {
        var count = 0;
        await foreach (var _ in items)
        {
            count++;
        }

        return count;
    }

    protected static ScaleSetId NewId() => ScaleSetId.Create(Guid.NewGuid().ToString(), "rg-" + Guid.NewGuid().ToString("N")[..6], "vmss1");

    protected static PoolRecord FullPool(ScaleSetId id) => new()
    {
        Id = id,
        Location = "westeurope",
        VmSizes = ["Standard_D2s_v5", "Standard_D4s_v5", "Standard_E2s_v5"],
        AcceleratedNetworkingAtCreation = false,
        AcceleratedNetworking = true,
        TimeCreated = T0.AddHours(-1).AddTicks(1),
        FirstSeen = T0,
        LastSeen = T0.AddMinutes(30),
        EnabledByApp = true,
        EnabledAt = T0.AddMinutes(2),
        InstancesNotOnLatestModel = 3_000_000_000L,
        Instances = new InstanceCounts(Total: 5, Running: 4, AcceleratedNetworking: 2, OnLatestModel: 3, Protected: 1),
        InstancesCheckedAt = T0.AddMinutes(3),
        Status = PoolStatus.Active,
        DeletedAt = null,
    };

    protected static PendingWrite FullPendingWrite() => new()
    {
        Id = "5b0c1f0e9d7a4c2f8e6b3a1d0c9e8f7a",
        StartedAt = T0.AddMinutes(1).AddTicks(7),
        Attempt = 2,
        State = PendingWriteState.Accepted,
        OperationUrl = "https://management.azure.com/subscriptions/6d3f8b21-4c7a-4e19-a2b5-0f9e8d7c6b5a/providers/Microsoft.Compute/locations/westeurope/operations/2f1e0d9c-8b7a-4655-9443-3a2b1c0d9e8f?api-version=2024-11-01",
        AcceptedAt = T0.AddMinutes(1).AddSeconds(2),
        ErrorCode = "InternalExecutionError",
        ErrorMessage = "An internal execution error occurred. Please retry later.",
    };

    protected static DecisionRecord Decision(ScaleSetId id, DateTimeOffset at) => new()
    {
        PoolId = id,
        At = at,
        Outcome = DecisionOutcome.EnableAcceleratedNetworking,
        Reason = DecisionReason.NewPoolEnabled,
        Explanation = "created 2 min ago with a size that supports AN",
        Trigger = "event",
        EventId = "evt-1",
        VmSizes = ["Standard_D2s_v5"],
        WriteBody = "{}",
    };

    private static void AssertSamePool(PoolRecord expected, PoolRecord actual)
    {
        Assert.Equal(expected.VmSizes, actual.VmSizes);
        Assert.Equal(expected with { VmSizes = actual.VmSizes, Version = actual.Version }, actual);
    }

    private static void AssertSameDecision(DecisionRecord expected, DecisionRecord actual)
    {
        Assert.Equal(expected.VmSizes, actual.VmSizes);
        Assert.Equal(expected with { VmSizes = actual.VmSizes }, actual);
    }

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    private static async Task<List<(T? Result, Exception? Error)>> SettleAsync<T>(IEnumerable<Task<T>> tasks)
        where T : class
    {
        var outcomes = new List<(T?, Exception?)>();
        foreach (var task in tasks)
        {
            try
            {
                outcomes.Add((await task, null));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                outcomes.Add((null, e));
            }
        }

        return outcomes;
    }
}
