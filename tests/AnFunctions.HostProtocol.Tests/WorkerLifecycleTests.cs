using System.Text.Json.Nodes;
using AnFunctions.HostProtocol.Tests.Host;
using AnFunctions.HostProtocol.Tests.Rpc;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>The worker under the host's start and stop sequence, with the deployed settings shape.</summary>
[Collection(HostProtocolCollection.Name)]
[Trait("Category", "HostProtocol")]
public sealed class WorkerLifecycleTests(HostProtocolFixture fixture)
{
    [Fact]
    public async Task Worker_ProductionSettings_InitialisesAndLoadsEveryFunction()
    {
        var app = await fixture.SharedAppAsync();
        var worker = app.Worker;

        Assert.Equal(StatusResult.Types.Status.Success, worker.Init.Result.Status);
        Assert.Equal(Uri.UriSchemeHttp, worker.HttpUri.Scheme);
        Assert.True(worker.HttpUri.IsLoopback, worker.HttpUri.ToString());
        Assert.Equal(worker.Functions.Count, worker.Loads.Count);
        Assert.All(worker.Loads, l => Assert.Equal(StatusResult.Types.Status.Success, l.Result.Status));
        Assert.Empty(worker.Channel.Unexpected);
        Assert.DoesNotContain(worker.Logs, l => l.InvocationId.Length == 0 && l.Level >= RpcLog.Types.Level.Error);
    }

    [Fact]
    public async Task Worker_FunctionsMetadataRequest_ReportsTheFunctionsAndBindingsOfFunctionsMetadata()
    {
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(HostedWorker.AppDirectory, "functions.metadata")))!.AsArray()
            .Select(f => f!.AsObject())
            .ToDictionary(f => f["name"]!.GetValue<string>());
        var app = await fixture.SharedAppAsync();

        var reported = app.Worker.Functions.ToDictionary(f => f.Name);

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), reported.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("ScaleSetEvents", reported.Keys);
        foreach (var (name, function) in expected)
        {
            var actual = reported[name];
            Assert.Equal(function["entryPoint"]!.GetValue<string>(), actual.EntryPoint);
            Assert.Equal(function["scriptFile"]!.GetValue<string>(), actual.ScriptFile);
            Assert.Equal("dotnet-isolated", actual.Language);
            Assert.False(string.IsNullOrEmpty(actual.FunctionId), $"{name} has no function id");

            var bindings = function["bindings"]!.AsArray().Select(b => WithoutEmptyProperties(b!.AsObject())).ToList();
            var rawBindings = actual.RawBindings.Select(b => WithoutEmptyProperties(JsonNode.Parse(b)!.AsObject())).ToList();
            Assert.Equal(bindings.Count, rawBindings.Count);
            for (var i = 0; i < bindings.Count; i++)
            {
                Assert.True(JsonNode.DeepEquals(bindings[i], rawBindings[i]), $"{name} binding {i}: {bindings[i].ToJsonString()} reported as {rawBindings[i].ToJsonString()}");
            }

            Assert.Equal(bindings.Count, actual.Bindings.Count);
            foreach (var binding in bindings)
            {
                var info = actual.Bindings[binding["name"]!.GetValue<string>()];
                Assert.Equal(binding["type"]!.GetValue<string>(), info.Type);
                Assert.Equal(binding["direction"]!.GetValue<string>(), info.Direction == BindingInfo.Types.Direction.In ? "In" : "Out");
            }
        }

        var trigger = app.Worker.Function("ScaleSetEvents").Bindings["payload"];
        Assert.Equal("eventGridTrigger", trigger.Type);
        Assert.Equal(BindingInfo.Types.DataType.String, trigger.DataType);
    }

    [Fact]
    public async Task Worker_WorkerTerminate_ExitsWithCodeZero()
    {
        await using var app = await HostedApp.StartAsync(fixture);

        var exitCode = await app.Worker.TerminateAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode}; output:\n{app.Worker.Process.Output}");
        await app.Worker.Channel.Closed.WaitAsync(HostedWorker.StepTimeout);
        Assert.DoesNotContain("Unhandled exception", app.Worker.Process.Output, StringComparison.Ordinal);
    }

    /// <summary>The build writes <c>"properties": {}</c> into functions.metadata; the worker leaves an empty one out.</summary>
    private static JsonObject WithoutEmptyProperties(JsonObject binding)
    {
        var copy = binding.DeepClone().AsObject();
        if (copy["properties"] is JsonObject { Count: 0 })
        {
            copy.Remove("properties");
        }

        return copy;
    }
}
