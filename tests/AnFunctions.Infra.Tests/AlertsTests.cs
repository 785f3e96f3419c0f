namespace AnFunctions.Infra.Tests;

/// <summary>The log-search alert on critical findings: on-call hears of them even when the app's own sinks fail.</summary>
[Collection(CompiledInfraCollection.Name)]
public sealed class AlertsTests(CompiledInfra infra)
{
    [Fact]
    public void AlertRule_CriticalFindings_NotifiesTheActionGroup()
    {
        var rule = infra.Main.Single("Microsoft.Insights/scheduledQueryRules");
        infra.Main.Single("Microsoft.Insights/actionGroups");

        var actionGroups = rule.Property("actions.actionGroups");
        Assert.Equal(1, actionGroups.GetArrayLength());
        Assert.StartsWith("[resourceId('Microsoft.Insights/actionGroups'", actionGroups[0].GetString(), StringComparison.Ordinal);
        Assert.True(rule.Property("enabled").GetBoolean());
        Assert.Equal("[parameters('logAnalyticsId')]", rule.Property("scopes")[0].GetString());
    }

    [Fact]
    public void AlertRule_Query_FindsCriticalFindingOpenedLogs()
    {
        var rule = infra.Main.Single("Microsoft.Insights/scheduledQueryRules");
        var criterion = rule.Property("criteria.allOf")[0];
        var query = criterion.GetProperty("query").GetString()!;

        Assert.Contains("variables('criticalFindingsQuery')", query, StringComparison.Ordinal);
        var text = rule.Template.GetProperty("variables").GetProperty("criticalFindingsQuery").GetString()!;
        Assert.Contains("AppTraces", text, StringComparison.Ordinal);
        Assert.Contains("EventName", text, StringComparison.Ordinal);
        Assert.Contains("Severity", text, StringComparison.Ordinal);
        Assert.Equal("FindingOpened", rule.Resolve(rule.Template.GetProperty("parameters").GetProperty("findingEventName").GetProperty("defaultValue")).GetString());
        Assert.Equal("critical", rule.Template.GetProperty("parameters").GetProperty("findingSeverity").GetProperty("defaultValue").GetString());
        Assert.Equal("GreaterThan", criterion.GetProperty("operator").GetString());
        Assert.Equal(0, criterion.GetProperty("threshold").GetInt32());
    }

    [Fact]
    public void ActionGroup_EmailReceiver_ComesFromTheParameter()
    {
        var group = infra.Main.Single("Microsoft.Insights/actionGroups");

        Assert.Contains("parameters('alertEmailAddress')", group.Property("emailReceivers").GetString(), StringComparison.Ordinal);
        Assert.True(group.Property("enabled").GetBoolean());
    }
}
