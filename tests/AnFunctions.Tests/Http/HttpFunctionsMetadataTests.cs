using System.Text.Json.Nodes;
using AnFunctions.Api;

namespace AnFunctions.Tests.Http;

/// <summary>The HTTP and queue functions as the host will read them from the build's functions.metadata.</summary>
public sealed class HttpFunctionsMetadataTests
{
    private static JsonArray Metadata() => JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.HostOutput, "functions.metadata")))!.AsArray();

    private static JsonObject Function(string name) => Metadata().Single(f => f!["name"]!.GetValue<string>() == name)!.AsObject();

    /// <summary>The host serves exactly the route table simulate routes through: same functions, methods and routes.</summary>
    [Fact]
    public void HttpFunctions_Metadata_AreExactlyTheRouteTable()
    {
        var built = Metadata()
            .Select(f => (Name: f!["name"]!.GetValue<string>(), Trigger: f["bindings"]!.AsArray().SingleOrDefault(b => b!["type"]!.GetValue<string>() == "httpTrigger")))
            .Where(f => f.Trigger is not null)
            .Select(f => $"{f.Name} {string.Join(",", f.Trigger!["methods"]!.AsArray().Select(m => m!.GetValue<string>()))} {f.Trigger["route"]!.GetValue<string>()}")
            .Order(StringComparer.Ordinal);
        var table = ApiRoutes.All.Select(r => $"{r.Name} {r.Method} {r.Template}").Order(StringComparer.Ordinal);

        Assert.Equal(table, built);
    }

    [Theory]
    [InlineData("ReconcilePool", "post", "pools/reconcile")]
    [InlineData("ExplainPool", "get", "pools/explain")]
    [InlineData("StartAudit", "post", "audits")]
    [InlineData("GetAudit", "get", "audits/{runId}")]
    [InlineData("ListFindings", "get", "findings")]
    [InlineData("GetFinding", "get", "findings/{findingId}")]
    public void HttpFunction_Metadata_HasRouteMethodAndFunctionKey(string name, string method, string route)
    {
        var bindings = Function(name)["bindings"]!.AsArray();

        var trigger = Assert.Single(bindings, b => b!["type"]!.GetValue<string>() == "httpTrigger")!;
        Assert.Equal(route, trigger["route"]!.GetValue<string>());
        Assert.Equal([method], trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal("function", trigger["authLevel"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Single(bindings, b => b!["type"]!.GetValue<string>() == "http" && b["direction"]!.GetValue<string>() == "Out");
    }

    [Fact]
    public void RunQueuedAudit_Metadata_IsAQueueTriggerOnAuditRuns()
    {
        var binding = Assert.Single(Function("RunQueuedAudit")["bindings"]!.AsArray())!;

        Assert.Equal("queueTrigger", binding["type"]!.GetValue<string>());
        Assert.Equal("audit-runs", binding["queueName"]!.GetValue<string>());
        Assert.Equal("String", binding["dataType"]!.GetValue<string>());
    }

    [Fact]
    public void Extensions_IncludeTheStorageQueuesExtension()
    {
        var extensions = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.HostOutput, "extensions.json")))!["extensions"]!.AsArray();

        var queues = Assert.Single(extensions, e => e!["name"]!.GetValue<string>() == "AzureStorageQueues")!;
        Assert.Contains("Microsoft.Azure.WebJobs.Extensions.Storage.Queues", queues["typeName"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
