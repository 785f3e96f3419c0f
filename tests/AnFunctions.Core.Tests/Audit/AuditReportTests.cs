using AnFunctions.Core.Audit;

namespace AnFunctions.Core.Tests.Audit;

/// <summary>An audit run as Markdown and JSON, and the shape of a run id.</summary>
public sealed class AuditReportTests
{
    private static AuditRun Full() => new()
    {
        RunId = "audit-20261125T100000Z-0123abcd",
        Trigger = "http",
        Started = TestData.Now,
        Ended = TestData.Now.AddMinutes(2).AddSeconds(3),
        Status = AuditRunStatus.CompletedWithErrors,
        SubscriptionFilter = TestData.Subscription,
        ResourceGroupFilter = "cluster-x1y2z",
        DryRun = true,
        Subscriptions = [new SubscriptionAudit(TestData.Subscription, 7, null), new SubscriptionAudit(TestData.OtherSubscription, 0, "a|b\nc")],
        PoolsSeen = 7,
        PoolsRecorded = 2,
        PoolsClosed = 1,
        PoolsChanged = 4,
        Writes = 3,
        InstanceChecks = 5,
        FindingsOpenedCount = 6,
        FindingsResolvedCount = 8,
        FindingsOpened = ["fnd-1"],
        ArmCalls = new Dictionary<string, int> { ["ListSkus"] = 2, ["GetScaleSet"] = 1, ["ListScaleSets"] = 4 },
        TableCalls = new Dictionary<string, int> { ["Query"] = 3, ["Transaction"] = 2 },
        Errors = ["pool | one: failed\nbadly"],
    };

    [Fact]
    public void ToMarkdown_EverySection_ExactText()
    {
        Assert.Equal(
            "## AnFunctions audit audit-20261125T100000Z-0123abcd\n\n"
            + "- Status: **CompletedWithErrors** (dry-run: nothing written)\n"
            + "- Started 2026-11-25 10:00:00Z, ended 2026-11-25 10:02:03Z, trigger `http`\n"
            + $"- Scope: subscription `{TestData.Subscription}`, resource group `cluster-x1y2z`\n"
            + "- Pools seen 7, newly recorded 2, closed 1, AN writes 3, instance checks 5\n"
            + "- Findings opened 6, resolved 8\n\n"
            + "| Subscription | Pools | Result |\n| --- | ---: | --- |\n"
            + $"| `{TestData.Subscription}` | 7 | ok |\n"
            + $"| `{TestData.OtherSubscription}` | 0 | error: a\\|b c |\n"
            + "\n| ARM calls | Count |\n| --- | ---: |\n"
            + "| GetScaleSet | 1 |\n| ListScaleSets | 4 |\n| ListSkus | 2 |\n| **total** | **7** |\n"
            + "\n| Table round trips | Count |\n| --- | ---: |\n"
            + "| Query | 3 |\n| Transaction | 2 |\n| **total** | **5** |\n"
            + "\n### Errors\n\n"
            + "- pool \\| one: failed badly\n",
            AuditReport.ToMarkdown(Full()));
    }

    [Fact]
    public void ToMarkdown_RunningRunWithoutFilterCallsOrErrors_OnlyWhatItHas()
    {
        var run = new AuditRun { RunId = "audit-20261125T100000Z-0123abcd", Trigger = "timer", Started = TestData.Now };

        Assert.Equal(
            "## AnFunctions audit audit-20261125T100000Z-0123abcd\n\n"
            + "- Status: **Running**\n"
            + "- Started 2026-11-25 10:00:00Z, ended (running), trigger `timer`\n"
            + "- Pools seen 0, newly recorded 0, closed 0, AN writes 0, instance checks 0\n"
            + "- Findings opened 0, resolved 0\n\n"
            + "| Subscription | Pools | Result |\n| --- | ---: | --- |\n"
            + "\n| ARM calls | Count |\n| --- | ---: |\n"
            + "| **total** | **0** |\n",
            AuditReport.ToMarkdown(run));
    }

    [Fact]
    public void ToMarkdown_SubscriptionWithoutResourceGroup_ScopeNamesTheSubscriptionOnly()
    {
        var run = Full() with { ResourceGroupFilter = null };

        Assert.Contains($"- Scope: subscription `{TestData.Subscription}`\n", AuditReport.ToMarkdown(run), StringComparison.Ordinal);
    }

    [Fact]
    public void ToJson_Run_CamelCaseWithEnumsAsTextAndReadBack()
    {
        var run = Full();

        var json = AuditReport.ToJson(run);

        Assert.Contains("\"status\": \"completedWithErrors\"", json, StringComparison.Ordinal);
        Assert.Contains("\"runId\": \"audit-20261125T100000Z-0123abcd\"", json, StringComparison.Ordinal);
        Assert.Contains("\n  \"trigger\"", json, StringComparison.Ordinal);
        var back = AuditReport.FromJson(json)!;
        Assert.Equal(AuditReport.ToMarkdown(run), AuditReport.ToMarkdown(back));
        Assert.Equal(run.FindingsOpened, back.FindingsOpened);
        Assert.Equal((run.PoolsChanged, run.DryRun), (back.PoolsChanged, back.DryRun));
    }

    [Theory]
    [InlineData("audit-20261125T100000Z-0123abcd", true)]
    [InlineData("audit-20261125T100000Z-0123abc", false)]
    [InlineData("audit-20261125T100000Z-0123abcde", false)]
    [InlineData("audit-20261125T100000Z-0123ABCD", false)]
    [InlineData("audit-20261125T100000Z-0123abcg", false)]
    [InlineData("audit-2026112xT100000Z-0123abcd", false)]
    [InlineData("audit-20261125X100000Z-0123abcd", false)]
    [InlineData("xaudit-0261125T100000Z-0123abcd", false)]
    [InlineData(null, false)]
    public void IsValidId_Value_TrueOnlyForTheShapeNewIdMakes(string? value, bool valid) =>
        Assert.Equal(valid, AuditRun.IsValidId(value));

    [Fact]
    public void NewId_Time_NamesTheUtcSecondAndIsValid()
    {
        var at = new DateTimeOffset(2026, 11, 25, 11, 30, 45, TimeSpan.FromHours(1));
        var id = AuditRun.NewId(at);

        Assert.StartsWith("audit-20261125T103045Z-", id, StringComparison.Ordinal);
        Assert.True(AuditRun.IsValidId(id), id);
        Assert.NotEqual(id, AuditRun.NewId(at));
    }
}
