using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using AnFunctions.Functions;
using AnFunctions.InMemory.Rollouts;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary><c>POST /api/pools/rollout</c> → queue → <c>RunRollout</c> → <c>GET /api/rollouts/{id}</c>, through the app's real DI.</summary>
public sealed class RolloutsFunctionsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now);

    public async Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("mixed", "Standard_D4s_v5", Now.AddMinutes(-2), an: false));
        // The app enables AN on the new pool's model (upgrade policy Manual): its three running nodes keep their NICs.
        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(Fleet.Id("mixed"), "create-mixed"), CancellationToken.None);
        _app.Emulator.ResetInstrumentation();
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ApiFunctions Functions => _app.Create<ApiFunctions>();

    private Task<HttpAnswer> StartAsync(object body) =>
        CallAsync(Json("POST", JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(body))!), Functions.StartRolloutAsync);

    private Task<HttpAnswer> StatusAsync(string rolloutId) =>
        CallAsync(Request("GET"), (r, ct) => Functions.GetRolloutAsync(r, rolloutId, ct));

    [Fact]
    public async Task StartRollout_WithoutDryRun_IsADryRunThatAnswersThePlan()
    {
        var answer = await StartAsync(new { resourceId = Fleet.Id("mixed") });

        Assert.Equal(200, answer.Status);
        Assert.Equal("planned", answer.Json["status"]!.GetValue<string>());
        var plan = answer.Json["plan"]!;
        Assert.Equal(1, plan["batchSize"]!.GetValue<int>());
        Assert.Equal(1, plan["nodesDownAtOnce"]!.GetValue<int>());
        Assert.Equal(3, plan["batches"]!.AsArray().Count);
        Assert.Equal(["0"], plan["batches"]![0]!["instanceIds"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task StartRollout_Apply_Answers202ThenTheQueueTriggerRunsItAndStatusShowsItSucceeded()
    {
        var queue = _app.Get<InMemoryRolloutQueue>();
        queue.RunImmediately = false;

        var accepted = await StartAsync(new { resourceId = Fleet.Id("mixed"), batchSize = 1, dryRun = false });

        Assert.Equal(202, accepted.Status);
        var rolloutId = accepted.Json["rollout"]!["rolloutId"]!.GetValue<string>();
        Assert.Equal("/api/rollouts/" + rolloutId, accepted.Headers.Location.ToString());
        Assert.Equal("Queued", (await StatusAsync(rolloutId)).Json["status"]!.GetValue<string>());
        Assert.Empty(_app.Emulator.Writes);

        await _app.Create<RunRolloutFunction>().RunAsync(Assert.Single(queue.Pending), CancellationToken.None);

        var status = await StatusAsync(rolloutId);
        Assert.Equal(200, status.Status);
        Assert.Equal("Succeeded", status.Json["status"]!.GetValue<string>());
        Assert.All(status.Json["batches"]!.AsArray(), b => Assert.Equal("Done", b!["step"]!.GetValue<string>()));
        Assert.All(_app.Emulator.GetInstances(Fleet.Id("mixed"))!, i => Assert.True(i.AcceleratedNetworking));
        Assert.All(_app.Emulator.Disruptions, d => Assert.Equal((1, 1), (d.Instances, d.NodesDown)));
    }

    [Fact]
    public async Task StartRollout_SecondWhileTheFirstIsQueued_409NamingTheFirst()
    {
        _app.Get<InMemoryRolloutQueue>().RunImmediately = false;
        var first = await StartAsync(new { resourceId = Fleet.Id("mixed"), dryRun = false });
        var rolloutId = first.Json["rollout"]!["rolloutId"]!.GetValue<string>();

        var second = await StartAsync(new { resourceId = Fleet.Id("mixed"), dryRun = false });

        AssertProblem(second, 409, "rollout-in-progress");
        Assert.Contains(rolloutId, second.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("/api/rollouts/" + rolloutId, second.Headers.Location.ToString());
    }

    [Fact]
    public async Task StartRollout_AfterItFinished_NothingToDoAndTheLastRollout()
    {
        var first = await StartAsync(new { resourceId = Fleet.Id("mixed"), dryRun = false });
        _app.Emulator.ResetInstrumentation();

        var again = await StartAsync(new { resourceId = Fleet.Id("mixed"), dryRun = false });

        Assert.Equal(200, again.Status);
        Assert.Equal("nothingToDo", again.Json["status"]!.GetValue<string>());
        Assert.Equal(first.Json["rollout"]!["rolloutId"]!.GetValue<string>(), again.Json["rollout"]!["rolloutId"]!.GetValue<string>());
        Assert.Empty(_app.Emulator.Writes);
    }

    [Theory]
    [InlineData(2, "rollout-refused", 409, "BatchTooLarge")]
    [InlineData(0, "invalid-body", 400, "batchSize")]
    [InlineData(1001, "invalid-body", 400, "batchSize")]
    public async Task StartRollout_BadBatch_ProblemThatSaysWhy(int batchSize, string slug, int status, string detail)
    {
        var answer = await StartAsync(new { resourceId = Fleet.Id("mixed"), batchSize, dryRun = false });

        AssertProblem(answer, status, slug);
        Assert.Contains(detail, answer.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(_app.Emulator.Writes);
    }

    [Fact]
    public async Task StartRollout_PoolWhoseModelHasNoAn_Refused()
    {
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("old", "Standard_D4s_v5", Now.AddDays(-3), an: false));

        var answer = await StartAsync(new { resourceId = Fleet.Id("old"), dryRun = false });

        AssertProblem(answer, 409, "rollout-refused");
        Assert.Contains("ModelWithoutAcceleratedNetworking", answer.Json["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartRollout_UnknownPoolAndBadIds_ProblemsBeforeAnyWrite()
    {
        AssertProblem(await StartAsync(new { resourceId = Fleet.Id("missing"), dryRun = false }), 404, "scale-set-not-found");
        AssertProblem(await StartAsync(new { resourceId = "/subscriptions/x/../../etc" }), 400, "invalid-resource-id");
        AssertProblem(await StartAsync(new { resourceId = Fleet.Id("mixed"), unknown = 1 }), 400, "malformed-json");
        Assert.Empty(_app.Emulator.Writes);
    }

    [Theory]
    [InlineData("rollout-2026", 400, "invalid-rollout-id")]
    [InlineData("rollout-20261125T100000Z-0123abcd", 404, "rollout-not-found")]
    public async Task GetRollout_BadOrUnknownId_Problem(string rolloutId, int status, string slug)
    {
        AssertProblem(await StatusAsync(rolloutId), status, slug);
    }

    [Fact]
    public async Task Simulate_HttpRolloutStep_RunsToCompletionBeforeTheNextStep()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await AnFunctions.Cli.CliApp.RunAsync(["simulate", Path.Combine(RepoPaths.Scenarios, "rollout-on-request.json")], stdout, stderr);

        Assert.True(exit == 0, stderr.ToString());
        var result = JsonNode.Parse(stdout.ToString())!;
        var http = result["http"]!.AsArray();
        Assert.Equal([200, 202, 200], http.Select(h => h!["status"]!.GetValue<int>()));
        Assert.Equal("planned", http[0]!["body"]!["status"]!.GetValue<string>());
        Assert.Equal("Succeeded", http[1]!["body"]!["rollout"]!["status"]!.GetValue<string>());
        Assert.Equal(3, http[2]!["body"]!["nodes"]!["counts"]!["acceleratedNetworking"]!.GetValue<int>());
        var pool = result["pools"]!.AsArray().Single()!;
        Assert.Equal(3, pool["instances"]!["acceleratedNetworking"]!.GetValue<int>());
        Assert.All(result["disruptions"]!.AsArray(), d => Assert.Equal((1, 1), (d!["instances"]!.GetValue<int>(), d["nodesDown"]!.GetValue<int>())));
        Assert.Equal(3, result["disruptions"]!.AsArray().Count);
        var mixed = result["findings"]!.AsArray().Single(f => f!["kind"]!.GetValue<string>() == "NodesWithoutAcceleratedNetworking")!;
        Assert.Equal("resolved", mixed["status"]!.GetValue<string>());
    }
}
