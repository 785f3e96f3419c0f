using AnFunctions.Core.Arm;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using NSubstitute;

namespace AnFunctions.Core.Tests.Audit;

/// <summary>
/// The fleet audit from an index that can lag ARM (<see cref="AuditSource.ResourceGraph"/>): one query for every
/// subscription, rows judged as listed only when they agree with the record and raise no alarm, and a recorded pool
/// missing from the rows closed only when ARM says it is gone.
/// </summary>
public sealed class IndexedAuditTests
{
    private const string Sub = TestData.Subscription;
    private const string Other = TestData.OtherSubscription;
    private readonly AuditHarness _h = new();

    public IndexedAuditTests() => _h.AuditSettings.Source = AuditSource.ResourceGraph;

    /// <summary>A row of the index, and ARM agreeing with it; its subscription is visible.</summary>
    private ScaleSetSnapshot Row(ScaleSetSnapshot scaleSet)
    {
        _h.IndexRows.Add(ScaleSetListItem.Read(scaleSet));
        _h.Current[scaleSet.Id.Key] = scaleSet;
        if (!_h.Visible.Contains(scaleSet.Id.SubscriptionId))
        {
            _h.Visible.Add(scaleSet.Id.SubscriptionId);
        }

        return scaleSet;
    }

    private static ScaleSetSnapshot Old(string name, bool an = true, string subscription = Sub, string size = "Standard_D4s_v3") =>
        TestData.ScaleSet(size, an, TimeSpan.FromDays(20), subscription: subscription, name: name);

    [Fact]
    public async Task RunAsync_RowsOfEverySubscription_OneQueryNoListingAndNoGet()
    {
        const string empty = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
        var a = Row(Old("a"));
        var b = Row(Old("b", subscription: Other));
        _h.Visible.Add(empty);

        var run = await _h.RunAsync();

        Assert.Equal([new SubscriptionAudit(Sub, 1, null), new SubscriptionAudit(empty, 0, null), new SubscriptionAudit(Other, 1, null)], run.Subscriptions);
        Assert.Equal((2, 2), (run.PoolsSeen, run.PoolsRecorded));
        Assert.Equal(new Dictionary<string, int> { ["ListSkus"] = 2, ["ResourceGraphQuery"] = 1 }, run.ArmCalls);
        Assert.Equal([[Sub, empty, Other]], _h.IndexedFor);
        Assert.NotNull(await _h.PoolAsync(a.Id));
        Assert.NotNull(await _h.PoolAsync(b.Id));
        _h.Arm.DidNotReceiveWithAnyArgs().ListAsync(default!, default);
    }

    [Fact]
    public async Task RunAsync_RowAgreeingWithTheRecord_JudgedWithoutAGet()
    {
        await _h.RecordAsync(Row(Old("a")));

        var run = await _h.RunAsync();

        Assert.Equal((1, 0, 0), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
        Assert.False(run.ArmCalls.ContainsKey("GetScaleSet"));
    }

    [Fact]
    public async Task RunAsync_RowOlderThanTheRecord_ReadFromArmAndTheRecordKeepsArmsSize()
    {
        var row = Row(Old("a"));
        var resized = Old("a", size: "Standard_D8s_v3");
        await _h.RecordAsync(resized);
        _h.Current[row.Id.Key] = resized;

        var run = await _h.RunAsync();

        Assert.Equal(1, run.ArmCalls["GetScaleSet"]);
        Assert.Equal(["Standard_D8s_v3"], (await _h.PoolAsync(row.Id))!.VmSizes);
        Assert.Equal((1, 0, 1), (run.PoolsSeen, run.PoolsRecorded, run.PoolsChanged));
        Assert.Empty(await _h.FindingsAsync());
    }

    [Fact]
    public async Task RunAsync_RowThatWouldOpenAWarning_ConfirmedFromArmFirstThenNotAgain()
    {
        _h.Settings.AvailableButOffSeverity = FindingSeverity.Warning;
        var off = Row(Old("off", an: false));

        var first = await _h.RunAsync();
        var second = await _h.RunAsync();

        Assert.Equal((1, 1), (first.ArmCalls["GetScaleSet"], first.FindingsOpenedCount));
        Assert.False(second.ArmCalls.ContainsKey("GetScaleSet"));
        var finding = Assert.Single(await _h.FindingsAsync());
        Assert.Equal((off.Id, FindingSeverity.Warning, FindingStatus.Open), (finding.PoolId, finding.Severity, finding.Status));
    }

    [Fact]
    public async Task RunAsync_RowThatOpensOnlyAnInfo_JudgedWithoutAGet()
    {
        Row(Old("off", an: false));

        var run = await _h.RunAsync();

        Assert.False(run.ArmCalls.ContainsKey("GetScaleSet"));
        Assert.Equal(1, run.FindingsOpenedCount);
    }

    [Fact]
    public async Task RunAsync_RecordMissingFromTheRows_ClosedOnlyWhenArmSaysItIsGone()
    {
        Row(Old("listed"));
        var gone = await _h.RecordAsync(Old("gone"));
        var notIndexedYet = await _h.RecordAsync(Old("fresh"));
        var unreadable = await _h.RecordAsync(Old("unreadable"));
        _h.Current[gone.Id.Key] = null;
        _h.Current[notIndexedYet.Id.Key] = Old("fresh");
        _h.Arm.GetAsync(unreadable.Id, Arg.Any<CancellationToken>()).Returns<ScaleSetSnapshot?>(_ => throw new ArmRequestException(503, "ServerBusy", "busy"));

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal([$"{unreadable.Id}: busy"], run.Errors);
        Assert.Equal((1, 2), (run.PoolsClosed, run.PoolsChanged));
        Assert.Equal(PoolStatus.Deleted, (await _h.PoolAsync(gone.Id))!.Status);
        Assert.Equal(PoolStatus.Active, (await _h.PoolAsync(notIndexedYet.Id))!.Status);
        Assert.Equal(PoolStatus.Active, (await _h.PoolAsync(unreadable.Id))!.Status);
    }

    [Fact]
    public async Task RunAsync_RowsThatCannotBeRead_NamedAsErrorsUnderTheirSubscriptionOrTheRun()
    {
        _h.Visible.Add(Sub);
        _h.IndexRows.Add(ScaleSetListItem.Unreadable($"/SUBSCRIPTIONS/{Sub.ToUpperInvariant()}/resourceGroups/rg/providers/Other/thing", "not a scale set"));
        _h.IndexRows.Add(ScaleSetListItem.Unreadable("/providers/nothing", "no id"));
        _h.IndexRows.Add(new ScaleSetListItem("garbage", null, null));
        _h.IndexRows.Add(ScaleSetListItem.Unreadable($"/subscriptions/{Sub}", "bare"));
        _h.IndexRows.Add(ScaleSetListItem.Unreadable("/subscriptions", "no id"));

        var run = await _h.RunAsync();

        Assert.Equal(
            [
                $"/SUBSCRIPTIONS/{Sub.ToUpperInvariant()}/resourceGroups/rg/providers/Other/thing: could not be read: not a scale set",
                "/providers/nothing: could not be read from Resource Graph: no id",
                $"/subscriptions/{Sub}: could not be read: bare",
                "/subscriptions: could not be read from Resource Graph: no id",
                "garbage: could not be read from Resource Graph: no subscription in its id",
            ],
            run.Errors.Order(StringComparer.Ordinal));
        Assert.Equal([new SubscriptionAudit(Sub, 2, null)], run.Subscriptions);
        Assert.Equal(2, run.PoolsSeen);
    }

    [Fact]
    public async Task RunAsync_IndexFails_EverySubscriptionListedFromArmAndTheRunSaysSo()
    {
        _h.ListOld("a");
        _h.ListOld("b", subscription: Other);
        _h.IndexFailure = new ArmRequestException(403, "AuthorizationFailed", "no graph");

        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.CompletedWithErrors, run.Status);
        Assert.Equal(["resource graph: no graph; the subscriptions were listed from ARM instead"], run.Errors);
        Assert.Equal((2, 2), (run.PoolsSeen, run.PoolsRecorded));
        Assert.Equal(2, run.ArmCalls["ListScaleSets"]);
    }

    [Fact]
    public async Task RunAsync_NoSubscriptionInScope_IndexNotAsked()
    {
        var run = await _h.RunAsync();

        Assert.Equal(AuditRunStatus.Completed, run.Status);
        _h.Index.DidNotReceiveWithAnyArgs().ListAsync(default!, default);
    }

    [Fact]
    public async Task RunAsync_NewPoolInTheRows_WrittenAfterAnArmRead()
    {
        var fresh = TestData.ScaleSet(an: false, age: TimeSpan.FromMinutes(5));
        Row(fresh);

        var run = await _h.RunAsync();

        Assert.Equal((1, 1, 1), (run.Writes, run.PoolsRecorded, run.ArmCalls["GetScaleSet"]));
        await _h.Arm.Received(1).GetAsync(fresh.Id, Arg.Any<CancellationToken>());
    }
}
