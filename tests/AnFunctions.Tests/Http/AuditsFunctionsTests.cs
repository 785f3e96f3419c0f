using System.Text.Json.Nodes;
using AnFunctions.Core.Audit;
using AnFunctions.Emulator;
using AnFunctions.Functions;
using AnFunctions.InMemory.Audit;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary><c>POST /api/audits</c> → queue → <c>RunQueuedAudit</c> → <c>GET /api/audits/{runId}</c>.</summary>
public sealed class AuditsFunctionsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("old", "Standard_D4s_v5", Now.AddDays(-3)));
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("late", "Standard_D4s_v5", Now.AddMinutes(-3)));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ApiFunctions Functions => _app.Create<ApiFunctions>();

    private RunQueuedAuditFunction QueueTrigger => _app.Create<RunQueuedAuditFunction>();

    private Task<HttpAnswer> StatusAsync(string runId) =>
        CallAsync(Request("GET"), (r, ct) => Functions.GetAuditAsync(r, runId, ct));

    [Fact]
    public async Task StartAudit_Queued_Answers202ThenTheQueueTriggerRunsItAndStatusShowsTheCompletedRun()
    {
        var queue = _app.Get<InMemoryAuditQueue>();
        queue.RunImmediately = false;

        var accepted = await CallAsync(Request("POST", body: "{}"), Functions.StartAuditAsync);

        Assert.Equal(202, accepted.Status);
        var runId = accepted.Json["runId"]!.GetValue<string>();
        Assert.True(AuditRun.IsValidId(runId));
        Assert.Equal("/api/audits/" + runId, accepted.Json["statusUrl"]!.GetValue<string>());
        Assert.Equal("/api/audits/" + runId, accepted.Headers.Location.ToString());
        Assert.Equal("Queued", accepted.Json["status"]!.GetValue<string>());
        Assert.Equal("Queued", (await StatusAsync(runId)).Json["run"]!["status"]!.GetValue<string>());
        Assert.Empty(_app.Emulator.Writes);

        var message = Assert.Single(queue.Pending);
        Assert.Equal(runId, JsonNode.Parse(message)!["runId"]!.GetValue<string>());
        await QueueTrigger.RunAsync(queue.Dequeue()!, CancellationToken.None);

        var status = await StatusAsync(runId);
        Assert.Equal(200, status.Status);
        Assert.Equal("Completed", status.Json["run"]!["status"]!.GetValue<string>());
        Assert.Equal("http", status.Json["run"]!["trigger"]!.GetValue<string>());
        Assert.Equal(2, status.Json["run"]!["poolsSeen"]!.GetValue<int>());
        Assert.Contains(runId, status.Json["report"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(_app.Emulator.Writes); // the pool whose event was lost gets AN
    }

    [Fact]
    public async Task RunQueuedAudit_RedeliveredMessage_DoesNotRunAgain()
    {
        var queue = _app.Get<InMemoryAuditQueue>();
        queue.RunImmediately = false;
        await CallAsync(Request("POST", body: """{"dryRun": true}"""), Functions.StartAuditAsync);
        var message = queue.Dequeue()!;
        await QueueTrigger.RunAsync(message, CancellationToken.None);
        _app.Emulator.ResetCounts();

        await QueueTrigger.RunAsync(message, CancellationToken.None);

        Assert.Equal(0, _app.Emulator.Count(ArmCallKind.ListScaleSets));
    }

    [Fact]
    public async Task RunQueuedAudit_PoisonMessage_Throws()
    {
        await Assert.ThrowsAsync<FormatException>(() => QueueTrigger.RunAsync("{\"runId\":\"../../etc\"}", CancellationToken.None));
    }

    [Fact]
    public async Task StartAudit_InMemoryQueueDryRunForOneSubscription_RunsAtOnceAndWritesNothing()
    {
        var accepted = await CallAsync(
            HttpCalls.Json("POST", new JsonObject { ["subscriptionId"] = AppUnderTest.Subscription.ToUpperInvariant(), ["resourceGroup"] = "k8s-test", ["dryRun"] = true }),
            Functions.StartAuditAsync);

        Assert.Equal(202, accepted.Status);
        var run = (await StatusAsync(accepted.Json["runId"]!.GetValue<string>())).Json["run"]!;
        Assert.Equal("Completed", run["status"]!.GetValue<string>());
        Assert.True(run["dryRun"]!.GetValue<bool>());
        Assert.Equal(AppUnderTest.Subscription, run["subscriptionFilter"]!.GetValue<string>());
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task GetAudit_UnknownRun_Is404()
    {
        AssertProblem(await StatusAsync("audit-20261125T100000Z-0123abcd"), 404, "audit-run-not-found");
    }
}
