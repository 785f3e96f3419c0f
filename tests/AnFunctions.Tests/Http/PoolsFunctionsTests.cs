using System.Text.Json.Nodes;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Functions;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary><c>POST /api/pools/reconcile</c> and <c>GET /api/pools/explain</c> through the app's real DI.</summary>
public sealed class PoolsFunctionsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ApiFunctions Functions => _app.Create<ApiFunctions>();

    private Task<HttpAnswer> ReconcileAsync(string id, bool? dryRun)
    {
        var body = new JsonObject { ["resourceId"] = id };
        if (dryRun is { } value)
        {
            body["dryRun"] = value;
        }

        return CallAsync(HttpCalls.Json("POST", body), Functions.ReconcilePoolAsync);
    }

    private Task<HttpAnswer> ExplainAsync(string id) =>
        CallAsync(Request("GET", "resourceId=" + Uri.EscapeDataString(id)), Functions.ExplainPoolAsync);

    [Fact]
    public async Task Reconcile_DryRunOnNewPool_ReturnsThePlannedPatchAndWritesNothing()
    {
        var id = Fleet.Id("fresh");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("fresh", "Standard_D4s_v5", Now.AddMinutes(-2), nics: 2));

        var dry = await ReconcileAsync(id, dryRun: true);

        Assert.Equal(200, dry.Status);
        Assert.StartsWith("application/json", dry.ContentType, StringComparison.Ordinal);
        Assert.Equal("WouldEnableAcceleratedNetworking", dry.Json["outcome"]!.GetValue<string>());
        Assert.Equal("DryRun", dry.Json["reason"]!.GetValue<string>());
        Assert.True(dry.Json["isNewPool"]!.GetValue<bool>());
        Assert.False(dry.Json["writeSent"]!.GetValue<bool>());
        Assert.Equal("PATCH", dry.Json["write"]!["method"]!.GetValue<string>());
        Assert.Empty(_app.Emulator.Writes);
        Assert.Null(await _app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None));

        // The real run sends exactly the body the dry-run planned.
        var real = await ReconcileAsync(id, dryRun: false);

        Assert.Equal(200, real.Status);
        Assert.True(real.Json["writeSent"]!.GetValue<bool>());
        var sent = Assert.Single(_app.Emulator.Writes);
        Assert.Equal("PATCH", sent.Method);
        Assert.True(JsonNode.DeepEquals(dry.Json["write"]!["body"], sent.Body), $"planned {dry.Json["write"]!["body"]} sent {sent.Body}");
        Assert.True(JsonNode.DeepEquals(dry.Json["write"]!["body"], real.Json["write"]!["body"]));
    }

    [Fact]
    public async Task Reconcile_Repeated_IsIdempotent()
    {
        var id = Fleet.Id("twice");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("twice", "Standard_D4s_v5", Now.AddMinutes(-2)));

        var first = await ReconcileAsync(id, dryRun: null);
        var second = await ReconcileAsync(id, dryRun: null);

        Assert.Equal("EnableAcceleratedNetworking", first.Json["outcome"]!.GetValue<string>());
        Assert.Equal("ExistingPoolKnown", second.Json["reason"]!.GetValue<string>());
        Assert.False(second.Json["writeSent"]!.GetValue<bool>());
        Assert.Single(_app.Emulator.Writes);
        var decisions = await _app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(id), 10, CancellationToken.None);
        Assert.All(decisions, d => Assert.Equal("http", d.Trigger));
    }

    [Fact]
    public async Task Reconcile_UnknownScaleSet_Is404()
    {
        AssertProblem(await ReconcileAsync(Fleet.Id("never-created"), dryRun: true), 404, "scale-set-not-found");
    }

    [Fact]
    public async Task Explain_NewPool_ShowsEvidenceAndThePreviewWithoutRecordingAnything()
    {
        var id = Fleet.Id("explained");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("explained", "Standard_D4s_v5", Now.AddMinutes(-2), nics: 2));

        var answer = await ExplainAsync(id);

        Assert.Equal(200, answer.Status);
        var json = answer.Json;
        Assert.Equal(id, json["resourceId"]!.GetValue<string>());
        Assert.Equal("westeurope", json["location"]!.GetValue<string>());
        Assert.Equal("Supported", json["support"]!.GetValue<string>());
        var size = Assert.Single(json["sizes"]!.AsArray())!;
        Assert.Equal("Standard_D4s_v5", size["vmSize"]!.GetValue<string>());
        Assert.True(size["acceleratedNetworkingCapable"]!.GetValue<bool>());
        Assert.Equal(Now, json["skuListReadAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2, json["networkInterfaces"]!.AsArray().Count);
        Assert.All(json["networkInterfaces"]!.AsArray(), n => Assert.False(n!["acceleratedNetworking"]!.GetValue<bool>()));
        Assert.Equal("WouldEnableAcceleratedNetworking", json["decision"]!["outcome"]!.GetValue<string>());
        Assert.True(json["decision"]!["isNewPool"]!.GetValue<bool>());
        Assert.Equal("PATCH", json["decision"]!["writeMethod"]!.GetValue<string>());
        Assert.True(json["scope"]!["inScope"]!.GetValue<bool>());
        Assert.False(json["scope"]!["optedOut"]!.GetValue<bool>());
        Assert.Null(json["record"]);
        Assert.Empty(json["recentDecisions"]!.AsArray());
        Assert.Empty(_app.Emulator.Writes);
        Assert.Empty(await _app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(id), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Explain_AfterReconcile_ShowsTheRecordTheDecisionsAndOpenFindings()
    {
        var id = Fleet.Id("known");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("known", "Standard_D4s_v5", Now.AddDays(-3), tags: new JsonObject { ["an-automation"] = "disabled" }));
        await ReconcileAsync(id, dryRun: false);

        var json = (await ExplainAsync(id)).Json;

        Assert.NotNull(json["record"]);
        Assert.True(json["scope"]!["optedOut"]!.GetValue<bool>());
        Assert.Equal("disabled", json["scope"]!["optOutTagValue"]!.GetValue<string>());
        var decision = Assert.Single(json["recentDecisions"]!.AsArray())!;
        Assert.Equal("OptedOut", decision["reason"]!.GetValue<string>());
        Assert.Equal("http", decision["trigger"]!.GetValue<string>());
        var finding = Assert.Single(json["openFindings"]!.AsArray())!;
        Assert.Equal("AcceleratedNetworkingAvailableButOff", finding["kind"]!.GetValue<string>());
        Assert.Equal(id, finding["poolId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Explain_UnknownScaleSet_Is404()
    {
        AssertProblem(await ExplainAsync(Fleet.Id("nowhere")), 404, "scale-set-not-found");
    }
}
