using System.Text.RegularExpressions;
using AnFunctions.Core.Telemetry;

namespace AnFunctions.Infra.Tests;

/// <summary>
/// The fleet workbook (infra/app/workbook.bicep), compiled with the rest: deployed by main.bicep on the app's
/// Application Insights, and reading only the metric names and dimensions the app writes (<see cref="AnMetrics"/>).
/// </summary>
[Collection(CompiledInfraCollection.Name)]
public sealed partial class WorkbookTests(CompiledInfra infra)
{
    private static readonly string Source = File.ReadAllText(Path.Combine(BicepCli.InfraDirectory, "app", "workbook.bicep"));

    [Fact]
    public void Workbook_Main_DeploysItSharedOnTheAppsApplicationInsights()
    {
        var workbook = infra.Main.Single("Microsoft.Insights/workbooks");

        Assert.Equal("shared", workbook.Element.GetProperty("kind").GetString());
        Assert.Equal("workbook", workbook.Property("category").GetString());
        Assert.Equal("[parameters('applicationInsightsId')]", workbook.Properties.GetProperty("sourceId").GetString());
        Assert.Contains("applicationInsightsId", infra.Main.Module("workbook").ModuleParameter("applicationInsightsId").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("[string(", workbook.Properties.GetProperty("serializedData").GetString(), StringComparison.Ordinal);
        Assert.NotNull(infra.CompiledPath(Path.Combine("app", "workbook.bicep")));
    }

    [Fact]
    public void Workbook_Queries_ReadOnlyMetricsAndDimensionsTheAppWrites()
    {
        var metrics = MetricName().Matches(Source).Select(m => m.Value).Distinct().ToList();
        var dimensions = Dimension().Matches(Source).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Subset(AnMetrics.InstrumentNames.ToHashSet(), metrics.ToHashSet());
        Assert.Subset(AnMetrics.TagNames.ToHashSet(), dimensions.ToHashSet());
        // What the issue asks to see: coverage over time per subscription and cluster, nodes without AN, findings by kind, audit runs and their ARM cost.
        Assert.Superset(
            new[] { AnMetrics.PoolsInScope, AnMetrics.PoolsWithAcceleratedNetworking, AnMetrics.NodesWithoutAcceleratedNetworking, AnMetrics.OpenFindings, AnMetrics.AuditDuration, AnMetrics.ArmRequests }.ToHashSet(),
            metrics.ToHashSet());
        Assert.Superset(new[] { "subscription", "cluster", "kind", "severity" }.ToHashSet(), dimensions.ToHashSet());
    }

    [Fact]
    public void Workbook_Remedies_CoverEveryFindingKind()
    {
        var kinds = Enum.GetNames<AnFunctions.Core.Findings.FindingKind>().Where(k => k != "SizeChanged");

        Assert.All(kinds, kind => Assert.Contains($"'{kind}', '", Source, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"anfunctions\.[a-z_]+(\.[a-z_]+)*")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"customDimensions\['([^']+)'\]")]
    private static partial Regex Dimension();
}
