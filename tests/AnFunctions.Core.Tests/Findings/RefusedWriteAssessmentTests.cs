using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Tests.Findings;

public sealed class RefusedWriteAssessmentTests
{
    private const string ToB2s = """{"sku":{"name":"Standard_B2s","capacity":3}}""";
    private const string ToD8 = """{"sku":{"name":"Standard_D8s_v3"}}""";
    private const string ScaleOut = """{"sku":{"name":"Standard_D4s_v3","capacity":30}}""";
    private const string CapacityOnly = """{"sku":{"capacity":30}}""";

    public sealed record Case(string Name, bool CurrentAn, string? Body, string? ErrorCode, bool LogHasIt, FindingSeverity? Expected, bool Pending = false)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases() =>
    [
        new("AN pool refused a size without AN (Azure's AN error): warning", true, ToB2s, RefusedWriteAssessment.AnSizeErrorCode, true, FindingSeverity.Warning),
        new("AN pool, AN error without request body: still a warning", true, null, RefusedWriteAssessment.AnSizeErrorCode, true, FindingSeverity.Warning),
        new("AN pool refused a size without AN for quota: warning (AN incompatible anyway)", true, ToB2s, "OperationNotAllowed", true, FindingSeverity.Warning),
        new("pool without AN refused an AN size for quota: info naming the size", false, ToD8, "OperationNotAllowed", true, FindingSeverity.Info),
        new("refused scale-out on the same size: not a size change", true, ScaleOut, "OperationNotAllowed", true, null),
        new("refused capacity change without a size: not a size change", true, CapacityOnly, "OperationNotAllowed", true, null),
        new("log entry without body or AN error: not known as a size change", true, null, "InternalServerError", true, null),
        new("Activity Log has nothing yet: raised pending, info", true, null, null, false, FindingSeverity.Info, Pending: true),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assess_Case_GivesExpectedFinding(Case c)
    {
        var current = TestData.ScaleSet(size: "Standard_D4s_v3", an: c.CurrentAn, age: TimeSpan.FromDays(5));
        var operation = c.LogHasIt
            ? new FailedOperation("corr-1", current.Id.Value, "Microsoft.Compute/virtualMachineScaleSets/write", "Failed", c.ErrorCode, "refused", c.Body, TestData.Now)
            : null;

        var draft = RefusedWriteAssessment.Assess(new RefusedWrite(current.Id, current, operation, "corr-1", "evt-9", "refused"), TestData.Catalog());

        if (c.Expected is null)
        {
            Assert.Null(draft);
            return;
        }

        Assert.NotNull(draft);
        Assert.Equal(FindingKind.SizeChangeRefused, draft.Kind);
        Assert.Equal(c.Expected, draft.Severity);
        Assert.Equal(c.Pending, draft.Evidence.ActivityLogPending);
        Assert.Equal("corr-1", draft.Evidence.CorrelationId);
        Assert.Equal(["evt-9"], draft.Evidence.EventIds);
        if (c.Body is not null)
        {
            Assert.Contains(draft.Evidence.AttemptedSizes[0], draft.Message, StringComparison.Ordinal);
        }

        if (c.ErrorCode is not null)
        {
            Assert.Contains(c.ErrorCode, draft.Message, StringComparison.Ordinal);
        }
    }

    public static TheoryData<string?, string[]> Bodies() => new()
    {
        { null, [] },
        { "", [] },
        { "not json", [] },
        { "[]", [] },
        { """{"sku":{"name":"Standard_B2s"}}""", ["Standard_B2s"] },
        { """{"sku":{"name":"Mix"},"properties":{"skuProfile":{"vmSizes":[{"name":"Standard_D4s_v3"},{"name":"Standard_D8s_v3"}]}}}""", ["Standard_D4s_v3", "Standard_D8s_v3"] },
        { """{"sku":{"name":"Mix"}}""", [] },
        { """{"properties":{"virtualMachineProfile":{}}}""", [] },
        // Not what ARM sends, but the Activity Log keeps whatever the caller wrote: never an exception.
        { """{"sku":{"name":5}}""", [] },
        { """{"sku":"Standard_B2s"}""", [] },
        { """{"sku":{"name":"Standard_B2s"},"properties":5}""", ["Standard_B2s"] },
        { """{"sku":{"name":"Standard_B2s"},"properties":{"skuProfile":{"vmSizes":[{"name":7},{"name":"Standard_D4s_v3"},{"name":"standard_d4s_v3"}]}}}""", ["Standard_D4s_v3"] },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void AttemptedSizes_RequestBody_ReadsSkuOrSkuProfile(string? body, string[] expected)
    {
        Assert.Equal(expected, RefusedWriteAssessment.AttemptedSizes(body));
    }

    [Fact]
    public void Assess_ScaleSetGone_PendingFindingWithoutSizesOrCluster()
    {
        var draft = RefusedWriteAssessment.Assess(new RefusedWrite(TestData.Id(), null, null, "corr-1", "evt-9", "refused"), TestData.Catalog());

        Assert.NotNull(draft);
        Assert.Empty(draft.Evidence.CurrentSizes);
        Assert.Empty(draft.Evidence.PreviousSizes);
        Assert.Null(draft.Evidence.Cluster);
        Assert.Null(draft.Evidence.Location);
        Assert.True(draft.Evidence.ActivityLogPending);
    }

    [Fact]
    public void Assess_KnownScaleSet_EvidenceNamesItsClusterAndRegion()
    {
        var current = TestData.ScaleSet(an: true, tags: new Dictionary<string, string> { ["aks-managed-cluster-name"] = "prod-west" });

        var draft = RefusedWriteAssessment.Assess(new RefusedWrite(current.Id, current, null, "corr-1", "evt-9", "refused"), TestData.Catalog());

        Assert.Equal("prod-west", draft?.Evidence.Cluster);
        Assert.Equal("westeurope", draft?.Evidence.Location);
        Assert.Equal(["Standard_D4s_v3"], draft?.Evidence.CurrentSizes);
    }

    public sealed record SupportCase(string Name, bool CurrentAn, string? Body, string ErrorCode, bool WithCatalog, FindingSeverity Expected, bool SupportJudged)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<SupportCase> SupportCases() =>
    [
        new("pool without AN refused a size without AN: info, nothing to lose", false, ToB2s, "OperationNotAllowed", true, FindingSeverity.Info, true),
        new("AN pool refused a size without AN: warning", true, ToB2s, "OperationNotAllowed", true, FindingSeverity.Warning, true),
        new("no catalog: the size is not judged", true, ToB2s, "OperationNotAllowed", false, FindingSeverity.Info, false),
        new("AN error without a body: nothing to judge", true, null, RefusedWriteAssessment.AnSizeErrorCode, true, FindingSeverity.Warning, false),
    ];

    [Theory]
    [MemberData(nameof(SupportCases))]
    public void Assess_AttemptedSize_JudgedAgainstTheCatalogOnlyWhenBothAreKnown(SupportCase c)
    {
        var current = TestData.ScaleSet(an: c.CurrentAn);
        var operation = new FailedOperation("corr-1", current.Id.Value, "Microsoft.Compute/virtualMachineScaleSets/write", "Failed", c.ErrorCode, "refused", c.Body, TestData.Now);

        var draft = RefusedWriteAssessment.Assess(new RefusedWrite(current.Id, current, operation, "corr-1", "evt-9", "refused"), c.WithCatalog ? TestData.Catalog() : null);

        Assert.NotNull(draft);
        Assert.Equal(c.Expected, draft.Severity);
        Assert.Equal(c.SupportJudged, draft.Evidence.SizeSupport is not null);
    }
}
