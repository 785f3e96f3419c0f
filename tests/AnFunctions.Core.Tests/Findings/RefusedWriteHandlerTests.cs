using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Tests.Events;
using NSubstitute;

namespace AnFunctions.Core.Tests.Findings;

/// <summary>
/// <see cref="RefusedWriteHandler"/> over the in-memory finding store with the ARM, Activity Log and catalog ports
/// substituted: the finding a refused write raises, and how pending ones are completed or closed later.
/// </summary>
public sealed class RefusedWriteHandlerTests
{
    private const string ToB2s = """{"sku":{"name":"Standard_B2s","capacity":3}}""";

    private static FailedOperation Operation(string? errorCode, string? body) =>
        new("corr-1", TestData.Id().Value, "Microsoft.Compute/virtualMachineScaleSets/write", "Failed", errorCode, "refused", body, TestData.Now);

    public static TheoryData<string, string?, string?, string?, string> Handled() => new()
    {
        { "no correlation id: pending, nothing to look up", null, null, null, "refused write: finding raised; the Activity Log has nothing yet for correlation id " },
        { "the log has nothing yet: pending", "corr-1", null, null, "refused write: finding raised; the Activity Log has nothing yet for correlation id corr-1" },
        { "AN size refused", "corr-1", RefusedWriteAssessment.AnSizeErrorCode, ToB2s, $"refused size change to Standard_B2s: Warning finding ({RefusedWriteAssessment.AnSizeErrorCode})" },
        { "not a size change", "corr-1", "InternalServerError", null, "refused write recorded: not a size change (InternalServerError)" },
        { "not a size change, no error code", "corr-1", null, """{"sku":{"capacity":30}}""", "refused write recorded: not a size change (no error code)" },
    };

    [Theory]
    [MemberData(nameof(Handled))]
    public async Task HandleAsync_Case_SaysWhatItRaised(string name, string? correlationId, string? errorCode, string? body, string expected)
    {
        var app = new EventHarness();
        var logHasIt = name.StartsWith("AN", StringComparison.Ordinal) || name.StartsWith("not", StringComparison.Ordinal);
        app.ActivityLog.FindFailedWriteAsync(TestData.Subscription, "corr-1", Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(logHasIt ? Operation(errorCode, body) : null);

        var detail = await app.Refused.HandleAsync(app.Id, "evt-1", "refused", correlationId, TestData.Now.AddMinutes(-3), CancellationToken.None);

        Assert.Equal(expected, detail);
        var open = await app.Engine.OpenFindingsAsync(app.Id, CancellationToken.None);
        Assert.Equal(name.StartsWith("not", StringComparison.Ordinal) ? 0 : 1, open.Count);
        await app.ActivityLog.Received(correlationId is null ? 0 : 1).FindFailedWriteAsync(TestData.Subscription, "corr-1", TestData.Now.AddMinutes(-3), Arg.Any<CancellationToken>());
        Assert.Equal(correlationId is null ? 0 : 1, app.ActivityLog.ReceivedCalls().Count());
    }

    [Fact]
    public async Task HandleAsync_NoEventTime_LooksUpAroundNow()
    {
        var app = new EventHarness();

        await app.Refused.HandleAsync(app.Id, "evt-1", "cancelled", "corr-1", eventTime: null, CancellationToken.None);

        await app.ActivityLog.Received(1).FindFailedWriteAsync(TestData.Subscription, "corr-1", TestData.Now, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task HandleAsync_ScaleSetGone_NoCatalogReadAndFindingStillRaised()
    {
        var app = new EventHarness { ScaleSet = null };
        app.ActivityLog.FindFailedWriteAsync(default!, default!, default, default).ReturnsForAnyArgs(Operation(RefusedWriteAssessment.AnSizeErrorCode, ToB2s));

        var detail = await app.Refused.HandleAsync(app.Id, "evt-1", "refused", "corr-1", null, CancellationToken.None);

        Assert.StartsWith("refused size change to Standard_B2s: Warning finding", detail, StringComparison.Ordinal);
        Assert.Empty(app.Catalogs.ReceivedCalls());
    }

    [Fact]
    public async Task HandleAsync_KnownScaleSet_ReadsTheCatalogOfItsRegion()
    {
        var app = new EventHarness();
        app.ActivityLog.FindFailedWriteAsync(default!, default!, default, default).ReturnsForAnyArgs(Operation("OperationNotAllowed", ToB2s));

        var detail = await app.Refused.HandleAsync(app.Id, "evt-1", "refused", "corr-1", null, CancellationToken.None);

        await app.Catalogs.Received(1).GetAsync(TestData.Subscription, "westeurope", Arg.Any<CancellationToken>());
        var finding = Assert.Single(await app.Engine.OpenFindingsAsync(app.Id, CancellationToken.None));
        Assert.NotNull(finding.Evidence.SizeSupport);
        Assert.Equal("refused size change to Standard_B2s: Warning finding (OperationNotAllowed)", detail);
    }

    [Fact]
    public async Task HandleAsync_OtherKindOpen_LeavesItOpen()
    {
        var app = new EventHarness();
        await app.Engine.ApplyAsync(app.Id, new FindingEvaluation(
            [new FindingDraft(FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingSeverity.Warning, "m", "c", "r", new FindingEvidence())], PoolFindingRules.ObservedKinds), CancellationToken.None);

        await app.Refused.HandleAsync(app.Id, "evt-1", "refused", "corr-1", null, CancellationToken.None);

        var kinds = (await app.Engine.OpenFindingsAsync(app.Id, CancellationToken.None)).Select(f => f.Kind).Order().ToList();
        Assert.Equal([FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingKind.SizeChangeRefused], kinds.Order());
    }

    /// <summary>A pending refused write raised at <see cref="TestData.Now"/>, then the clock moved on by <paramref name="after"/>.</summary>
    private static async Task<(EventHarness App, Finding Pending)> PendingAsync(TimeSpan after, string? correlationId = "corr-1")
    {
        var app = new EventHarness();
        await app.Refused.HandleAsync(app.Id, "evt-7", "refused", correlationId, null, CancellationToken.None);
        var pending = Assert.Single(await app.Engine.OpenFindingsAsync(app.Id, CancellationToken.None));
        Assert.True(pending.Evidence.ActivityLogPending);
        app.Time.Advance(after);
        app.ActivityLog.ClearReceivedCalls();
        return (app, pending);
    }

    public static TheoryData<string, double, string?, bool, int, string?> Pending() => new()
    {
        { "within the horizon, the log still has nothing: kept", 6, "corr-1", false, 0, null },
        { "within the horizon, the log has it now: completed", 1, "corr-1", true, 1, null },
        { "past the horizon: closed with the correlation id", 6.01, "corr-1", false, 1, "closed: the Activity Log never showed correlation id corr-1 within 6 h of the refusal (its entries come within minutes), so nothing says this write tried another size" },
        { "past the horizon, no correlation id: closed saying so", 7, null, false, 1, "closed: the refusal carried no correlation id to look up in the Activity Log, so nothing says this write tried another size" },
        { "within the horizon, no correlation id: nothing to look up", 1, null, false, 0, null },
    };

    [Theory]
    [MemberData(nameof(Pending))]
    public async Task CompletePendingAsync_Case_CompletesClosesOrKeeps(string name, double hours, string? correlationId, bool logHasIt, int completed, string? resolution)
    {
        _ = name;
        var (app, pending) = await PendingAsync(TimeSpan.FromHours(hours), correlationId);
        app.ActivityLog.FindFailedWriteAsync(default!, default!, default, default).ReturnsForAnyArgs(logHasIt ? Operation(RefusedWriteAssessment.AnSizeErrorCode, ToB2s) : null);

        var count = await app.Refused.CompletePendingAsync(CancellationToken.None);

        Assert.Equal(completed, count);
        var finding = await app.Findings.GetAsync(pending.Id, CancellationToken.None);
        Assert.NotNull(finding);
        Assert.Equal(resolution, finding.Evidence.Resolution);
        Assert.Equal(resolution is null, finding.IsOpen);
        Assert.Equal(resolution is null && !logHasIt, finding.Evidence.ActivityLogPending);
        var lookedUp = correlationId is not null && resolution is null;
        await app.ActivityLog.Received(lookedUp ? 1 : 0).FindFailedWriteAsync(TestData.Subscription, "corr-1", TestData.Now, Arg.Any<CancellationToken>());
        if (logHasIt)
        {
            Assert.Equal(["Standard_B2s"], finding.Evidence.AttemptedSizes);
            Assert.Equal(["evt-7"], finding.Evidence.EventIds);
            Assert.Equal(FindingSeverity.Warning, finding.Severity);
            Assert.NotNull(finding.Evidence.SizeSupport);
        }
    }

    [Fact]
    public async Task CompletePendingAsync_LogShowsItWasNotASizeChange_ResolvesIt()
    {
        var (app, pending) = await PendingAsync(TimeSpan.FromMinutes(10));
        app.ActivityLog.FindFailedWriteAsync(default!, default!, default, default).ReturnsForAnyArgs(Operation("InternalServerError", null));

        var count = await app.Refused.CompletePendingAsync([pending], CancellationToken.None);

        Assert.Equal(1, count);
        Assert.False((await app.Findings.GetAsync(pending.Id, CancellationToken.None))!.IsOpen);
    }

    [Fact]
    public async Task CompletePendingAsync_ScaleSetGone_CompletesWithoutCatalog()
    {
        var (app, pending) = await PendingAsync(TimeSpan.FromMinutes(10));
        app.ScaleSet = null;
        app.Catalogs.ClearReceivedCalls();
        app.ActivityLog.FindFailedWriteAsync(default!, default!, default, default).ReturnsForAnyArgs(Operation(RefusedWriteAssessment.AnSizeErrorCode, ToB2s));

        var count = await app.Refused.CompletePendingAsync([pending], CancellationToken.None);

        Assert.Equal(1, count);
        Assert.Empty(app.Catalogs.ReceivedCalls());
        Assert.False((await app.Findings.GetAsync(pending.Id, CancellationToken.None))!.Evidence.ActivityLogPending);
    }

    [Fact]
    public async Task CompletePendingAsync_PendingWithoutEventIds_CompletesWithAnEmptyEventId()
    {
        var (app, pending) = await PendingAsync(TimeSpan.FromMinutes(10));
        app.ActivityLog.FindFailedWriteAsync(default!, default!, default, default).ReturnsForAnyArgs(Operation(RefusedWriteAssessment.AnSizeErrorCode, ToB2s));

        var count = await app.Refused.CompletePendingAsync([pending with { Evidence = pending.Evidence with { EventIds = [] } }], CancellationToken.None);

        Assert.Equal(1, count);
        Assert.Contains(string.Empty, (await app.Findings.GetAsync(pending.Id, CancellationToken.None))!.Evidence.EventIds);
    }

    public static TheoryData<string, FindingKind, FindingStatus, bool> NotPending() => new()
    {
        { "another kind", FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingStatus.Open, true },
        { "resolved", FindingKind.SizeChangeRefused, FindingStatus.Resolved, true },
        { "complete already", FindingKind.SizeChangeRefused, FindingStatus.Open, false },
    };

    [Theory]
    [MemberData(nameof(NotPending))]
    public async Task CompletePendingAsync_NotAPendingRefusal_Untouched(string name, FindingKind kind, FindingStatus status, bool activityLogPending)
    {
        _ = name;
        var (app, pending) = await PendingAsync(TimeSpan.FromHours(7));
        var other = pending with { Kind = kind, Status = status, Evidence = pending.Evidence with { ActivityLogPending = activityLogPending } };

        var count = await app.Refused.CompletePendingAsync([other], CancellationToken.None);

        Assert.Equal(0, count);
        Assert.True((await app.Findings.GetAsync(pending.Id, CancellationToken.None))!.IsOpen);
        Assert.Empty(app.ActivityLog.ReceivedCalls());
    }

    [Fact]
    public async Task CompletePendingAsync_NullList_Throws()
    {
        var app = new EventHarness();

        await Assert.ThrowsAsync<ArgumentNullException>(() => app.Refused.CompletePendingAsync(null!, CancellationToken.None));
    }
}
