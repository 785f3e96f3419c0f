using System.ComponentModel.DataAnnotations;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Retention;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.InMemory.Audit;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Retention;

public sealed class RetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RetentionOptions_Defaults_AreValidAndWhatOnCallExpects()
    {
        var options = new RetentionOptions();

        Assert.Empty(Validate(options));
        Assert.Equal(
            (168, 90, 30, 90, 30, 30, 10),
            (options.ProcessedEventsHours, options.DecisionsDays, options.RejectedEventsDays, options.ResolvedFindingsDays,
                options.AuditRunsDays, options.DeliveredAlertsDays, options.MaxPagesPerRun));
    }

    public static TheoryData<Action<RetentionOptions>, string> Invalid() => new()
    {
        { o => o.ProcessedEventsHours = 47, "Retention:ProcessedEventsHours" },
        { o => o.ProcessedEventsHours = 24, "Retention:ProcessedEventsHours" },
        { o => o.ProcessedEventsHours = 0, "Retention:ProcessedEventsHours" },
        { o => o.DecisionsDays = 0, "Retention:DecisionsDays" },
        { o => o.RejectedEventsDays = -1, "Retention:RejectedEventsDays" },
        { o => o.ResolvedFindingsDays = 0, "Retention:ResolvedFindingsDays" },
        { o => o.AuditRunsDays = 4000, "Retention:AuditRunsDays" },
        { o => o.DeliveredAlertsDays = 0, "Retention:DeliveredAlertsDays" },
        { o => o.MaxPagesPerRun = 0, "Retention:MaxPagesPerRun" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RetentionOptions_BadValue_ErrorNamesTheKey(Action<RetentionOptions> configure, string key)
    {
        var options = new RetentionOptions();
        configure(options);

        Assert.Contains(Validate(options), e => e.ErrorMessage!.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void RetentionOptions_ProcessedEventsAtTheMinimum_IsValid()
    {
        Assert.Empty(Validate(new RetentionOptions { ProcessedEventsHours = 48 }));
    }

    public static TheoryData<RetentionTable, Func<RetentionOptions, RetentionOptions>, TimeSpan> Cutoffs() => new()
    {
        { RetentionTable.ProcessedEvents, o => o, TimeSpan.FromHours(168) },
        { RetentionTable.ProcessedEvents, o => { o.ProcessedEventsHours = 48; return o; }, TimeSpan.FromHours(48) },
        { RetentionTable.Decisions, o => { o.DecisionsDays = 7; return o; }, TimeSpan.FromDays(7) },
        { RetentionTable.RejectedEvents, o => o, TimeSpan.FromDays(30) },
        { RetentionTable.ResolvedFindings, o => o, TimeSpan.FromDays(90) },
        { RetentionTable.AuditRuns, o => { o.AuditRunsDays = 1; return o; }, TimeSpan.FromDays(1) },
        { RetentionTable.DeliveredAlerts, o => o, TimeSpan.FromDays(30) },
        { RetentionTable.DeletedPools, o => o, TimeSpan.FromDays(90) },
        { RetentionTable.DeletedPools, o => { o.DeletedPoolsDays = 3; return o; }, TimeSpan.FromDays(3) },
    };

    [Theory]
    [MemberData(nameof(Cutoffs))]
    public void RetentionCutoffs_At_IsNowMinusTheTablesRetention(RetentionTable table, Func<RetentionOptions, RetentionOptions> configure, TimeSpan kept)
    {
        var cutoffs = RetentionCutoffs.At(Now.ToOffset(TimeSpan.FromHours(2)), configure(new RetentionOptions()));

        Assert.Equal(Now - kept, cutoffs.For(table));
        Assert.Equal(TimeSpan.Zero, cutoffs.For(table).Offset);
    }

    [Fact]
    public void RetentionCutoffs_At_NeverKeepsProcessedEventsLessThan48Hours()
    {
        // Even options that skipped validation cannot shorten the window Event Grid's retries need.
        var cutoffs = RetentionCutoffs.At(Now, new RetentionOptions { ProcessedEventsHours = 1 });

        Assert.Equal(Now.AddHours(-48), cutoffs.ProcessedEvents);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1001, 1)]
    [InlineData(10, 0)]
    public void PruneLimits_OutOfRange_Throws(int pageSize, int maxPages)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PruneLimits(pageSize, maxPages));

        Assert.StartsWith(pageSize is < 1 or > 1000 ? "a prune page holds 1 to 1000 rows" : "a prune reads at least one page", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1000, 1, 1000)]
    [InlineData(1000, 10, 10_000)]
    [InlineData(250, 4, 1000)]
    public void PruneLimits_InRange_KeepsBothAndDeletesAtMostTheirProduct(int pageSize, int maxPages, int maxRows)
    {
        var limits = new PruneLimits(pageSize, maxPages);

        Assert.Equal((pageSize, maxPages, maxRows), (limits.PageSize, limits.MaxPages, limits.MaxRows));
    }

    [Fact]
    public void RetentionCutoffs_WithoutOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => RetentionCutoffs.At(Now, null!));
    }

    [Fact]
    public void RetentionCutoffs_For_AnUnknownTable_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RetentionCutoffs.At(Now, new RetentionOptions()).For((RetentionTable)99));

        Assert.StartsWith("unknown retention table", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoragePruner_RunAsync_PrunesEveryStoreAtTheCutoffsOfNowAndLogsRowsPerTable()
    {
        var time = new FakeTimeProvider(Now);
        var state = new InMemoryStateStore();
        var findings = new InMemoryFindingStore();
        var runs = new InMemoryAuditRunStore();
        var pool = ScaleSetId.Create("3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60", "rg", "vmss1");
        await state.MarkEventProcessedAsync(new ProcessedEvent("in-window", "t", pool.Value, Now.AddHours(-47), "handled"), default);
        await state.MarkEventProcessedAsync(new ProcessedEvent("expired", "t", pool.Value, Now.AddHours(-49), "handled"), default);
        await state.AppendDecisionAsync(Decision(pool, Now.AddDays(-3)), default);
        await state.AppendDecisionAsync(Decision(pool, Now.AddDays(-1)), default);
        await runs.SaveAsync(new AuditRun { RunId = "old", Trigger = "timer", Started = Now.AddDays(-3) }, default);
        var logger = new FakeLogger<StoragePruner>();
        var options = new RetentionOptions { ProcessedEventsHours = 48, DecisionsDays = 2, AuditRunsDays = 2 };
        var pruner = new StoragePruner(state, findings, runs, CoreWiring.Monitor(options), time, logger);

        var report = await pruner.RunAsync(default);

        Assert.Equal(3, report.Deleted);
        Assert.False(report.More);
        Assert.Null(await state.GetProcessedEventAsync(pool, "expired", default));
        Assert.NotNull(await state.GetProcessedEventAsync(pool, "in-window", default));
        Assert.Single(await state.GetDecisionsAsync(pool, 10, default));
        Assert.Empty(await runs.ListAsync(10, default));
        var perTable = logger.Collector.GetSnapshot().Where(r => r.Id.Name == "RowsPruned")
            .ToDictionary(r => r.GetStructuredStateValue("Table")!, r => r.GetStructuredStateValue("Rows"));
        Assert.Equal(Enum.GetNames<RetentionTable>().Order(), perTable.Keys.Order());
        Assert.Equal(("1", "1", "0", "1"), (perTable["ProcessedEvents"], perTable["Decisions"], perTable["ResolvedFindings"], perTable["AuditRuns"]));
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Name == "PruneCompleted" && r.GetStructuredStateValue("Rows") == "3");
    }

    [Fact]
    public async Task StoragePruner_RunAsync_PassesTheConfiguredPageLimit()
    {
        var state = Substitute.For<IStateStore, IPrunableStore>();
        ((IPrunableStore)state).PruneAsync(default!, default!, default).ReturnsForAnyArgs([new PrunedRows(RetentionTable.ProcessedEvents, 1000, true)]);
        var pruner = new StoragePruner(state, new InMemoryFindingStore(), new InMemoryAuditRunStore(),
            CoreWiring.Monitor(new RetentionOptions { MaxPagesPerRun = 3 }), new FakeTimeProvider(Now), new FakeLogger<StoragePruner>());

        var report = await pruner.RunAsync(default);

        await ((IPrunableStore)state).Received(1).PruneAsync(
            Arg.Is<RetentionCutoffs>(c => c.ProcessedEvents == Now.AddHours(-168)), new PruneLimits(1000, 3), Arg.Any<CancellationToken>());
        Assert.True(report.More);
    }

    [Fact]
    public async Task StoragePruner_StoreThatCannotBePruned_IsLoggedAndTheOthersArePruned()
    {
        var logger = new FakeLogger<StoragePruner>();
        var runs = new InMemoryAuditRunStore();
        await runs.SaveAsync(new AuditRun { RunId = "old", Trigger = "timer", Started = Now.AddDays(-40) }, default);
        var pruner = new StoragePruner(Substitute.For<IStateStore>(), new InMemoryFindingStore(), runs,
            CoreWiring.Monitor(new RetentionOptions()), new FakeTimeProvider(Now), logger);

        var report = await pruner.RunAsync(default);

        Assert.Equal(1, report.Deleted);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Name == "StoreNotPrunable" && r.Level == LogLevel.Warning);
    }

    private static DecisionRecord Decision(ScaleSetId pool, DateTimeOffset at) => new()
    {
        PoolId = pool,
        At = at,
        Outcome = DecisionOutcome.Skip,
        Reason = Enum.GetValues<DecisionReason>()[0],
        Explanation = "e",
        Trigger = "event",
    };

    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
