using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;

namespace AnFunctions.Core.Tests.Findings;

public sealed class PoolFindingRulesTests
{
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
        var open = TestData.OpenFinding(first);

        // The record has moved to the new size: no size change any more, but the condition still holds.
        var again = Evaluate("Standard_D4s_v3", false, "Standard_D4s_v3", false, [open]);

        var draft = Assert.Single(again.Open);
        Assert.Equal(FindingKind.SizeChangedWithoutAcceleratedNetworking, draft.Kind);
        Assert.Equal(["Standard_B2s"], draft.Evidence.PreviousSizes);
    }

    [Fact]
    public void Evaluate_OpenCriticalAfterResizeBack_NoLongerHolds()
    {
        var critical = TestData.OpenFinding(Assert.Single(Evaluate("Standard_D4s_v3", true, "Standard_B2s", true).Open));

        var back = Evaluate("Standard_B2s", true, "Standard_D4s_v3", true, [critical]);

        Assert.DoesNotContain(back.Open, d => d.Kind == FindingKind.AcceleratedNetworkingOnUnsupportedSize);
        Assert.Contains(FindingKind.AcceleratedNetworkingOnUnsupportedSize, back.Evaluated);
    }

    [Fact]
    public void Evaluate_OpenRefusedResize_HoldsUntilThePoolRunsTheAttemptedSize()
    {
        var refused = TestData.OpenFinding(FindingTexts.Refused(TestData.Id(), ["Standard_D4s_v3"], true,
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

    [Fact]
    public void Evaluate_Evidence_DescribesThePoolAsObserved()
    {
        var draft = Assert.Single(Evaluate("Standard_B2s", false, "Standard_D4s_v3", false).Open);

        Assert.Equal(["evt-1"], draft.Evidence.EventIds);
        Assert.Equal("cluster-a", draft.Evidence.Cluster);
        Assert.Equal("westeurope", draft.Evidence.Location);
        Assert.False(draft.Evidence.AcceleratedNetworking);
        Assert.Contains("Standard_D4s_v3", draft.Evidence.SizeSupport, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ObservationWithoutEventId_NamesNoEvent()
    {
        var scaleSet = TestData.ScaleSet(size: "Standard_D4s_v3", an: false, age: TimeSpan.FromDays(10));
        var record = TestData.Record(scaleSet) with { VmSizes = ["Standard_B2s"] };

        var draft = Assert.Single(PoolFindingRules.Evaluate(new PoolObservation(scaleSet, record, Support(scaleSet), [], null, null)).Open);

        Assert.Empty(draft.Evidence.EventIds);
        Assert.Null(draft.Evidence.Cluster);
    }

    [Fact]
    public void Evaluate_OpenSizeChangeSeenAgainWithoutChange_KeepsItsPreviousSizes()
    {
        var first = TestData.OpenFinding(Assert.Single(Evaluate("Standard_D4s_v3", true, "Standard_D8s_v3", true).Open));

        var again = Evaluate("Standard_D8s_v3", true, "Standard_D8s_v3", true, [first]);

        var draft = Assert.Single(again.Open);
        Assert.Equal(FindingKind.SizeChanged, draft.Kind);
        Assert.Equal(["Standard_D4s_v3"], draft.Evidence.PreviousSizes);
        Assert.Equal(["Standard_D8s_v3"], draft.Evidence.CurrentSizes);
    }

    [Fact]
    public void Evaluate_CapabilityWithdrawnAfterAnOpenSizeChange_CriticalNamesTheSizeChangesPreviousSizes()
    {
        var changed = TestData.OpenFinding(Assert.Single(Evaluate("Standard_D4s_v3", false, "Standard_B2s", false).Open));

        var later = Evaluate("Standard_B2s", false, "Standard_B2s", true, [changed]);

        var critical = Assert.Single(later.Open, d => d.Kind == FindingKind.AcceleratedNetworkingOnUnsupportedSize);
        Assert.Equal(["Standard_D4s_v3"], critical.Evidence.PreviousSizes);
        Assert.Contains(later.Open, d => d.Kind == FindingKind.SizeChanged);
    }

    [Fact]
    public void Evaluate_NoRecordAndNoSizeChangeOpen_NamesNoPreviousSizes()
    {
        var scaleSet = TestData.ScaleSet(size: "Standard_B2s", an: true, age: TimeSpan.FromDays(10));

        var draft = Assert.Single(PoolFindingRules.Evaluate(new PoolObservation(scaleSet, null, Support(scaleSet), [], "evt-1", null)).Open);

        Assert.Equal(FindingKind.AcceleratedNetworkingOnUnsupportedSize, draft.Kind);
        Assert.Empty(draft.Evidence.PreviousSizes);
    }

    [Fact]
    public void Evaluate_AnAtCreationOnly_IsLost()
    {
        var scaleSet = TestData.ScaleSet(size: "Standard_D4s_v3", an: false, age: TimeSpan.FromDays(10));
        var record = TestData.Record(scaleSet) with { AcceleratedNetworking = false, AcceleratedNetworkingAtCreation = true };

        var evaluation = PoolFindingRules.Evaluate(new PoolObservation(scaleSet, record, Support(scaleSet), [], "evt-1", null));

        Assert.Equal(FindingKind.AcceleratedNetworkingLost, Assert.Single(evaluation.Open).Kind);
    }

    [Fact]
    public void Evaluate_AnOnSomeNicsOnly_IsLostButNotOff()
    {
        var scaleSet = TestData.ScaleSet(size: "Standard_D4s_v3", an: true, age: TimeSpan.FromDays(10), nicCount: 2);
        scaleSet = scaleSet with { NetworkInterfaces = [scaleSet.NetworkInterfaces[0], scaleSet.NetworkInterfaces[1] with { AcceleratedNetworking = false }] };
        var record = TestData.Record(scaleSet) with { AcceleratedNetworking = true };

        var evaluation = PoolFindingRules.Evaluate(new PoolObservation(scaleSet, record, Support(scaleSet), [], "evt-1", null));

        Assert.Equal(FindingKind.AcceleratedNetworkingLost, Assert.Single(evaluation.Open).Kind);
    }

    [Fact]
    public void Evaluate_OpenLostFindingAndAnStillOff_StaysLostAndIsNotCalledAvailableButOff()
    {
        var lost = TestData.OpenFinding(Assert.Single(Evaluate("Standard_D4s_v3", true, "Standard_D4s_v3", false).Open));

        // The record now says AN off (the audit recorded what it saw): the open finding alone keeps it.
        var again = Evaluate("Standard_D4s_v3", false, "Standard_D4s_v3", false, [lost]);

        Assert.Equal(FindingKind.AcceleratedNetworkingLost, Assert.Single(again.Open).Kind);
    }

    [Fact]
    public void Evaluate_OpenWriteFailedWhileAnOff_HoldsAsItWasAndIsNotCalledAvailableButOff()
    {
        var failed = TestData.OpenFinding(new FindingDraft(FindingKind.AcceleratedNetworkingWriteFailed, FindingSeverity.Warning, "the write failed", "no AN", "look",
            new FindingEvidence { ErrorCode = "OperationFailed", WriteAttempt = 2 }));

        var off = Evaluate("Standard_D4s_v3", false, "Standard_D4s_v3", false, [failed]);
        var fixedBySomeone = Evaluate("Standard_D4s_v3", false, "Standard_D4s_v3", true, [failed]);

        var draft = Assert.Single(off.Open);
        Assert.Equal(
            (FindingKind.AcceleratedNetworkingWriteFailed, FindingSeverity.Warning, "the write failed", "no AN", "look", "OperationFailed", (int?)2),
            (draft.Kind, draft.Severity, draft.Message, draft.Consequence, draft.Remedy, draft.Evidence.ErrorCode, draft.Evidence.WriteAttempt));
        Assert.Empty(fixedBySomeone.Open);
        Assert.Contains(FindingKind.AcceleratedNetworkingWriteFailed, fixedBySomeone.Evaluated);
    }

    [Fact]
    public void Evaluate_OpenRefusedWriteWithoutAttemptedSizes_HoldsAsItWas()
    {
        var refused = TestData.OpenFinding(FindingTexts.Refused(TestData.Id(), ["Standard_D4s_v3"], true, new FindingEvidence { ErrorCode = "Conflict" }, anIncompatible: false));

        var again = Evaluate("Standard_D4s_v3", true, "Standard_D4s_v3", true, [refused]);

        var draft = Assert.Single(again.Open);
        Assert.Equal((refused.Kind, refused.Severity, refused.Message, refused.Consequence, refused.Remedy), (draft.Kind, draft.Severity, draft.Message, draft.Consequence, draft.Remedy));
        Assert.Same(refused.Evidence, draft.Evidence);
    }

    [Fact]
    public void Evaluate_ResizedAndLostWhileAnOlderSizeChangeIsOpen_EveryFindingNamesTheSizesBeforeThisChange()
    {
        var older = TestData.OpenFinding(FindingTexts.SizeChanged(TestData.ScaleSet(size: "Standard_D4s_v3"), new FindingEvidence { PreviousSizes = ["Standard_B2s"] }));

        var evaluation = Evaluate("Standard_D4s_v3", true, "Standard_D8s_v3", false, [older]);

        Assert.Equal(
            [FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingKind.AcceleratedNetworkingLost],
            evaluation.Open.Select(d => d.Kind).Order());
        Assert.All(evaluation.Open, d => Assert.Equal(["Standard_D4s_v3"], d.Evidence.PreviousSizes));
    }

    [Fact]
    public void Evaluate_OpenRefusedWriteWithoutAttemptedSizesOnAPoolWithoutSizes_StillHolds()
    {
        var refused = TestData.OpenFinding(FindingTexts.Refused(TestData.Id(), [], null, new FindingEvidence { ErrorCode = "Conflict" }, anIncompatible: false));
        var scaleSet = TestData.ScaleSet(sizes: [], an: true, age: TimeSpan.FromDays(10));

        var evaluation = PoolFindingRules.Evaluate(new PoolObservation(scaleSet, TestData.Record(scaleSet), Support(scaleSet), [refused], null, null));

        Assert.Contains(evaluation.Open, d => d.Kind == FindingKind.SizeChangeRefused);
    }

    [Fact]
    public void ObservedKinds_AreTheKindsTheseRulesOpenAndResolve()
    {
        Assert.Equal(
            new[]
            {
                FindingKind.AcceleratedNetworkingWriteBlocked, FindingKind.SizeChanged, FindingKind.SizeChangedWithoutAcceleratedNetworking,
                FindingKind.AcceleratedNetworkingOnUnsupportedSize, FindingKind.AcceleratedNetworkingLost, FindingKind.AcceleratedNetworkingAvailableButOff,
                FindingKind.SizeChangeRefused, FindingKind.AcceleratedNetworkingWriteFailed,
            }.Order(),
            PoolFindingRules.ObservedKinds.Order());
    }

    private static FindingEvaluation Evaluate(string recordedSize, bool recordedAn, string currentSize, bool? currentAn, IReadOnlyList<Finding>? open = null)
    {
        var scaleSet = TestData.ScaleSet(size: currentSize, an: currentAn, age: TimeSpan.FromDays(10));
        var record = TestData.Record(scaleSet) with { VmSizes = [recordedSize], AcceleratedNetworking = recordedAn };
        return PoolFindingRules.Evaluate(new PoolObservation(scaleSet, record, Support(scaleSet), open ?? [], "evt-1", "cluster-a"));
    }

    private static AcceleratedNetworkingSupport Support(ScaleSetSnapshot scaleSet) =>
        AcceleratedNetworkingSupport.Evaluate(scaleSet, TestData.Catalog());
}
