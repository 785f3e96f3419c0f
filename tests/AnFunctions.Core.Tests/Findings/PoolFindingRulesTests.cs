using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Tests.Findings;

public sealed class PoolFindingRulesTests
{
    private static readonly DateTimeOffset Now = TestData.Now;

    public sealed record Case(string Name, string RecordedSize, bool RecordedAn, string CurrentSize, bool? CurrentAn, FindingKind[] Expected, FindingSeverity? Severity = null)
    {
        public override string ToString() => Name;
    }

    // Sizes: D4s_v3/D8s_v3 support AN; B2s has no AN capability; E4s_v5 is restricted for the subscription.
    public static TheoryData<Case> SizeChanges() =>
    [
        new("resize to an AN size, AN off: warning, the pool stays without AN", "Standard_B2s", false, "Standard_D4s_v3", false, [FindingKind.SizeChangedWithoutAcceleratedNetworking], FindingSeverity.Warning),
        new("resize to an AN size, AN key absent: warning", "Standard_B2s", false, "Standard_D4s_v3", null, [FindingKind.SizeChangedWithoutAcceleratedNetworking], FindingSeverity.Warning),
        new("resize between AN sizes, AN off: warning", "Standard_D4s_v3", false, "Standard_D8s_v3", false, [FindingKind.SizeChangedWithoutAcceleratedNetworking], FindingSeverity.Warning),
        new("resize to a size without AN, AN on: critical", "Standard_D4s_v3", true, "Standard_B2s", true, [FindingKind.AcceleratedNetworkingOnUnsupportedSize], FindingSeverity.Critical),
        new("resize to a restricted size, AN on: critical", "Standard_D4s_v3", true, "Standard_E4s_v5", true, [FindingKind.AcceleratedNetworkingOnUnsupportedSize], FindingSeverity.Critical),
        new("resize between AN sizes, AN on: info", "Standard_D4s_v3", true, "Standard_D8s_v3", true, [FindingKind.SizeChanged], FindingSeverity.Info),
        new("resize to a size without AN, AN off: info", "Standard_D4s_v3", false, "Standard_B2s", false, [FindingKind.SizeChanged], FindingSeverity.Info),
        new("resize to an unknown size, AN off: info", "Standard_B2s", false, "Standard_Z9_v9", false, [FindingKind.SizeChanged], FindingSeverity.Info),
        new("no resize, AN on a supported size: nothing", "Standard_D4s_v3", true, "Standard_D4s_v3", true, []),
        new("no resize, AN off on a size without AN: nothing", "Standard_B2s", false, "Standard_B2s", false, []),
        new("no resize, AN off on an AN size: available but off", "Standard_D4s_v3", false, "Standard_D4s_v3", false, [FindingKind.AcceleratedNetworkingAvailableButOff], FindingSeverity.Info),
        new("no resize, AN on, capability withdrawn: critical", "Standard_B2s", true, "Standard_B2s", true, [FindingKind.AcceleratedNetworkingOnUnsupportedSize], FindingSeverity.Critical),
        new("AN turned off behind our back: lost", "Standard_D4s_v3", true, "Standard_D4s_v3", false, [FindingKind.AcceleratedNetworkingLost], FindingSeverity.Critical),
    ];

    [Theory]
    [MemberData(nameof(SizeChanges))]
    public void Evaluate_Case_OpensExactlyTheExpectedFindings(Case c)
    {
        var evaluation = Evaluate(c.RecordedSize, c.RecordedAn, c.CurrentSize, c.CurrentAn);

        Assert.Equal(c.Expected.Order(), evaluation.Open.Select(d => d.Kind).Order());
        if (c.Severity is { } severity)
        {
            Assert.Equal(severity, Assert.Single(evaluation.Open).Severity);
        }

        Assert.All(evaluation.Open, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Message));
            Assert.False(string.IsNullOrWhiteSpace(d.Consequence));
            Assert.False(string.IsNullOrWhiteSpace(d.Remedy));
            Assert.Equal([c.CurrentSize], d.Evidence.CurrentSizes);
        });
    }

    [Fact]
    public void Evaluate_ResizedWithoutAn_NamesBothSizesAndTheNewPoolRemedy()
    {
        var draft = Assert.Single(Evaluate("Standard_B2s", false, "Standard_D4s_v3", false).Open);

        Assert.Equal(["Standard_B2s"], draft.Evidence.PreviousSizes);
        Assert.Contains("Standard_B2s", draft.Message, StringComparison.Ordinal);
        Assert.Contains("Standard_D4s_v3", draft.Message, StringComparison.Ordinal);
        Assert.Contains("new node pool", draft.Remedy, StringComparison.Ordinal);
        Assert.Contains("does not turn AN on", draft.Consequence, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_OpenResizeWarningSeenAgainWithoutChange_StillHolds()
    {
        var first = Assert.Single(Evaluate("Standard_B2s", false, "Standard_D4s_v3", false).Open);
        var open = Open(first);

        // The record has moved to the new size: no size change any more, but the condition still holds.
        var again = Evaluate("Standard_D4s_v3", false, "Standard_D4s_v3", false, [open]);

        var draft = Assert.Single(again.Open);
        Assert.Equal(FindingKind.SizeChangedWithoutAcceleratedNetworking, draft.Kind);
        Assert.Equal(["Standard_B2s"], draft.Evidence.PreviousSizes);
    }

    [Fact]
    public void Evaluate_OpenCriticalAfterResizeBack_NoLongerHolds()
    {
        var critical = Open(Assert.Single(Evaluate("Standard_D4s_v3", true, "Standard_B2s", true).Open));

        var back = Evaluate("Standard_B2s", true, "Standard_D4s_v3", true, [critical]);

        Assert.DoesNotContain(back.Open, d => d.Kind == FindingKind.AcceleratedNetworkingOnUnsupportedSize);
        Assert.Contains(FindingKind.AcceleratedNetworkingOnUnsupportedSize, back.Evaluated);
    }

    [Fact]
    public void Evaluate_OpenRefusedResize_HoldsUntilThePoolRunsTheAttemptedSize()
    {
        var refused = Open(FindingTexts.Refused(TestData.Id(), ["Standard_D4s_v3"], true,
            new FindingEvidence { AttemptedSizes = ["Standard_B2s"], ErrorCode = RefusedWriteAssessment.AnSizeErrorCode }, anIncompatible: true));

        var unchanged = Evaluate("Standard_D4s_v3", true, "Standard_D4s_v3", true, [refused]);
        var nowRunsIt = Evaluate("Standard_D4s_v3", false, "Standard_B2s", false, [refused]);

        Assert.Contains(unchanged.Open, d => d.Kind == FindingKind.SizeChangeRefused);
        Assert.DoesNotContain(nowRunsIt.Open, d => d.Kind == FindingKind.SizeChangeRefused);
    }

    [Fact]
    public void Evaluate_PoolSeenForTheFirstTime_RaisesNoSizeChange()
    {
        var scaleSet = TestData.ScaleSet(size: "Standard_B2s", an: false, age: TimeSpan.FromDays(10));

        var evaluation = PoolFindingRules.Evaluate(new PoolObservation(scaleSet, null, Support(scaleSet), [], null, null));

        Assert.Empty(evaluation.Open);
    }

    [Fact]
    public void Evaluate_AvailableButOffSeverity_FollowsTheSetting()
    {
        var scaleSet = TestData.ScaleSet(size: "Standard_D4s_v3", an: false, age: TimeSpan.FromDays(10));

        var evaluation = PoolFindingRules.Evaluate(new PoolObservation(scaleSet, null, Support(scaleSet), [], null, null), FindingSeverity.Warning);

        Assert.Equal(FindingSeverity.Warning, Assert.Single(evaluation.Open).Severity);
    }

    [Fact]
    public void SameSizes_OrderAndCase_DoNotMatter()
    {
        Assert.True(PoolFindingRules.SameSizes(["Standard_D4s_v3", "standard_b2s"], ["Standard_B2s", "standard_d4s_v3"]));
        Assert.False(PoolFindingRules.SameSizes(["Standard_D4s_v3"], ["Standard_D4s_v3", "Standard_B2s"]));
    }

    private static FindingEvaluation Evaluate(string recordedSize, bool recordedAn, string currentSize, bool? currentAn, IReadOnlyList<Finding>? open = null)
    {
        var scaleSet = TestData.ScaleSet(size: currentSize, an: currentAn, age: TimeSpan.FromDays(10));
        var record = TestData.Record(scaleSet) with { VmSizes = [recordedSize], AcceleratedNetworking = recordedAn };
        return PoolFindingRules.Evaluate(new PoolObservation(scaleSet, record, Support(scaleSet), open ?? [], "evt-1", "cluster-a"));
    }

    private static AcceleratedNetworkingSupport Support(ScaleSetSnapshot scaleSet) =>
        AcceleratedNetworkingSupport.Evaluate(scaleSet, TestData.Catalog());

    private static Finding Open(FindingDraft draft) => new()
    {
        Id = Finding.IdFor(TestData.Id(), draft.Kind),
        PoolId = TestData.Id(),
        Kind = draft.Kind,
        Severity = draft.Severity,
        Status = FindingStatus.Open,
        FirstSeen = Now,
        LastSeen = Now,
        Message = draft.Message,
        Consequence = draft.Consequence,
        Remedy = draft.Remedy,
        Evidence = draft.Evidence,
    };
}
