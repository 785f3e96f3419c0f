using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using static AnFunctions.Core.Tests.TestData;

namespace AnFunctions.Core.Tests.Audit;

public sealed class IndexedRowsTests
{
    private static readonly ScaleSetSnapshot Row = ScaleSet(size: "Standard_D4s_v3", an: true, age: TimeSpan.FromDays(20));

    private static PoolRecord Agreeing => new()
    {
        Id = Row.Id,
        Location = "WestEurope",
        VmSizes = ["standard_d4s_v3"],
        AcceleratedNetworking = true,
        TimeCreated = Row.TimeCreated,
        FirstSeen = Now.AddDays(-20),
        LastSeen = Now.AddDays(-1),
    };

    public static TheoryData<string, PoolRecord?, bool> Records() => new()
    {
        { "agrees (case aside)", Agreeing, true },
        { "no record: nothing the row could be older than", null, true },
        { "deleted record", Agreeing with { Status = PoolStatus.Deleted }, false },
        { "a write of the app's pending", Agreeing with { PendingWrite = new PendingWrite { Id = "w", StartedAt = Now, Attempt = 1 } }, false },
        { "another incarnation (created again under the same name)", Agreeing with { TimeCreated = Now }, false },
        { "another location", Agreeing with { Location = "northeurope" }, false },
        { "AN differs", Agreeing with { AcceleratedNetworking = false }, false },
        { "size differs", Agreeing with { VmSizes = ["Standard_D8s_v3"] }, false },
        { "one size more", Agreeing with { VmSizes = ["Standard_D4s_v3", "Standard_D8s_v3"] }, false },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void MayBeJudgedAsListed_RowAgainstRecord(string name, PoolRecord? record, bool expected) =>
        Assert.True(IndexedRows.MayBeJudgedAsListed(Row, record) == expected, name);

    [Fact]
    public void MayBeJudgedAsListed_SameSizesInAnotherOrder_Agree()
    {
        var row = ScaleSet(sizes: ["Standard_D4s_v3", "Standard_D8s_v3", "Standard_E4s_v5"], an: true, age: TimeSpan.FromDays(20));

        Assert.True(IndexedRows.MayBeJudgedAsListed(row, Agreeing with { VmSizes = ["Standard_E4s_v5", "standard_d4s_v3", "Standard_D8s_v3"], TimeCreated = row.TimeCreated }));
    }

    [Fact]
    public void RaisesAlarm_OneNewWarningAmongInfos_Raises()
    {
        var evaluation = new FindingEvaluation(
            [Draft(FindingKind.InstancesNotOnLatestModel, FindingSeverity.Info), Draft(FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Warning)],
            new HashSet<FindingKind> { FindingKind.InstancesNotOnLatestModel, FindingKind.AcceleratedNetworkingAvailableButOff });

        Assert.True(IndexedRows.RaisesAlarm(evaluation, []));
    }

    private static FindingDraft Draft(FindingKind kind, FindingSeverity severity) =>
        new(kind, severity, "m", "c", "r", new FindingEvidence());

    private static Finding Open(FindingKind kind, FindingSeverity severity) => TestData.OpenFinding(Draft(kind, severity), Row.Id);

    public static TheoryData<string, FindingSeverity, Finding[], bool> Alarms() => new()
    {
        { "info never", FindingSeverity.Info, [], false },
        { "a new warning", FindingSeverity.Warning, [], true },
        { "a new critical", FindingSeverity.Critical, [], true },
        { "the warning already open", FindingSeverity.Warning, [Open(FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Warning)], false },
        { "open at info, now a warning", FindingSeverity.Warning, [Open(FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Info)], true },
        { "open at critical, now a warning", FindingSeverity.Warning, [Open(FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Critical)], false },
        { "another kind open at warning", FindingSeverity.Warning, [Open(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical)], true },
    };

    [Theory]
    [MemberData(nameof(Alarms))]
    public void RaisesAlarm_DraftAgainstOpenFindings(string name, FindingSeverity severity, Finding[] open, bool expected)
    {
        var evaluation = new FindingEvaluation([Draft(FindingKind.AcceleratedNetworkingAvailableButOff, severity)], new HashSet<FindingKind> { FindingKind.AcceleratedNetworkingAvailableButOff });

        Assert.True(IndexedRows.RaisesAlarm(evaluation, open) == expected, name);
    }
}
