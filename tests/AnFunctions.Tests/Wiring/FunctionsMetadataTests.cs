using System.Text.Json.Nodes;

namespace AnFunctions.Tests.Wiring;

/// <summary>The build's functions.metadata and extensions.json are what the Functions host reads: they prove the wiring.</summary>
public sealed class FunctionsMetadataTests
{
    private static JsonArray Metadata() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.HostOutput, "functions.metadata")))!.AsArray();

    private static JsonObject Function(string name) =>
        Metadata().Single(f => f!["name"]!.GetValue<string>() == name)!.AsObject();

    [Fact]
    public void ScaleSetEvents_IsAnEventGridTriggerBoundToTheRawPayload()
    {
        var function = Function("ScaleSetEvents");

        var binding = Assert.Single(function["bindings"]!.AsArray())!;
        Assert.Equal("eventGridTrigger", binding["type"]!.GetValue<string>());
        Assert.Equal("In", binding["direction"]!.GetValue<string>());
        Assert.Equal("String", binding["dataType"]!.GetValue<string>());
        Assert.Equal("One", binding["cardinality"]!.GetValue<string>());
        Assert.Equal("AnFunctions.Functions.ScaleSetEventsFunction.RunAsync", function["entryPoint"]!.GetValue<string>());
    }

    [Fact]
    public void DeliverAlerts_IsATimerEveryMinuteNotRunOnStartup()
    {
        var binding = Assert.Single(Function("DeliverAlerts")["bindings"]!.AsArray())!;

        Assert.Equal("timerTrigger", binding["type"]!.GetValue<string>());
        Assert.Equal("0 */1 * * * *", binding["schedule"]!.GetValue<string>());
        Assert.False(binding["runOnStartup"]?.GetValue<bool>() ?? false);
    }

    [Fact]
    public void FleetAudit_IsATimerOnTheAuditScheduleSetting()
    {
        var binding = Assert.Single(Function("FleetAudit")["bindings"]!.AsArray())!;

        Assert.Equal("timerTrigger", binding["type"]!.GetValue<string>());
        Assert.Equal("%Audit:Schedule%", binding["schedule"]!.GetValue<string>());
        Assert.False(binding["runOnStartup"]?.GetValue<bool>() ?? false);
    }

    [Fact]
    public void PruneStorage_IsAnHourlyTimerNotRunOnStartup()
    {
        var function = Function("PruneStorage");
        var binding = Assert.Single(function["bindings"]!.AsArray())!;

        Assert.Equal("timerTrigger", binding["type"]!.GetValue<string>());
        Assert.Equal("0 17 * * * *", binding["schedule"]!.GetValue<string>());
        Assert.False(binding["runOnStartup"]?.GetValue<bool>() ?? false);
        Assert.Equal("AnFunctions.Functions.PruneStorageFunction.RunAsync", function["entryPoint"]!.GetValue<string>());
    }

    [Fact]
    public void Extensions_InstallTheEventGridHostExtension()
    {
        var extensions = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.HostOutput, "extensions.json")))!["extensions"]!.AsArray();

        var eventGrid = Assert.Single(extensions, e => e!["name"]!.GetValue<string>() == "EventGrid")!;
        Assert.Contains("Microsoft.Azure.WebJobs.Extensions.EventGrid, Version=3.3.0.0", eventGrid["typeName"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepoPaths.HostOutput, ".azurefunctions", "Microsoft.Azure.WebJobs.Extensions.EventGrid.dll")));
    }

    [Fact]
    public void HostJson_IsTheRootCopy()
    {
        Assert.Equal(
            File.ReadAllText(Path.Combine(RepoPaths.Root, "host.json")),
            File.ReadAllText(Path.Combine(RepoPaths.HostOutput, "host.json")));
    }
}
