using AnFunctions.Api;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.State;
using AnFunctions.Emulator;
using AnFunctions.Functions;
using AnFunctions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary>
/// Failures of ARM and of the state store are answered in one place (<see cref="ApiErrors"/>): by the host's worker
/// middleware around the functions, and by the in-process <see cref="ApiRouter"/> that simulate uses. Both paths are
/// run here on the same failure and must answer with the same status, headers and bytes.
/// </summary>
public sealed class ApiErrorMiddlewareTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private const string RunId = "audit-20261125T100000Z-0123abcd";
    private const string FindingId = "fnd-0123456789abcdef01234567";
    private const string RolloutId = "rollout-20261125T100000Z-0123abcd";

    /// <summary>A valid request per route, and how the host's function for it is called.</summary>
    private sealed record RouteCall(string Method, string Path, string? Body, Func<ApiFunctions, HttpRequest, Task<IActionResult>> Function);

    private static readonly Dictionary<string, RouteCall> Calls = new()
    {
        [ApiRoutes.ReconcilePool.Name] = new("POST", "/api/pools/reconcile", $$"""{"resourceId":"{{Fleet.Id("pool")}}"}""", (f, r) => f.ReconcilePoolAsync(r, CancellationToken.None)),
        [ApiRoutes.ExplainPool.Name] = new("GET", "/api/pools/explain?resourceId=" + Uri.EscapeDataString(Fleet.Id("pool")), null, (f, r) => f.ExplainPoolAsync(r, CancellationToken.None)),
        [ApiRoutes.StartAudit.Name] = new("POST", "/api/audits", "{}", (f, r) => f.StartAuditAsync(r, CancellationToken.None)),
        [ApiRoutes.GetAudit.Name] = new("GET", "/api/audits/" + RunId, null, (f, r) => f.GetAuditAsync(r, RunId, CancellationToken.None)),
        [ApiRoutes.ListFindings.Name] = new("GET", "/api/findings", null, (f, r) => f.ListFindingsAsync(r, CancellationToken.None)),
        [ApiRoutes.GetFinding.Name] = new("GET", "/api/findings/" + FindingId, null, (f, r) => f.GetFindingAsync(r, FindingId, CancellationToken.None)),
        [ApiRoutes.StartRollout.Name] = new("POST", "/api/pools/rollout", $$"""{"resourceId":"{{Fleet.Id("rolled")}}","dryRun":false}""", (f, r) => f.StartRolloutAsync(r, CancellationToken.None)),
        [ApiRoutes.GetRollout.Name] = new("GET", "/api/rollouts/" + RolloutId, null, (f, r) => f.GetRolloutAsync(r, RolloutId, CancellationToken.None)),
        [ApiRoutes.GetReport.Name] = new("GET", "/api/report", null, (f, r) => f.GetReportAsync(r, CancellationToken.None)),
    };

    public static TheoryData<string> Routes() => new(ApiRoutes.All.Select(r => r.Name));

    private static AppUnderTest App(Action<IServiceCollection>? configure = null)
    {
        var app = AppUnderTest.Create(now: Now, configure: configure);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool", "Standard_D4s_v5", Now.AddMinutes(-2)));
        app.Emulator.PutScaleSet(Fleet.ScaleSet("rolled", "Standard_D4s_v5", Now.AddDays(-2), an: true));
        return app;
    }

    private static HttpRequest RequestFor(RouteCall call)
    {
        var split = call.Path.IndexOf('?', StringComparison.Ordinal);
        var request = Request(call.Method, split < 0 ? string.Empty : call.Path[(split + 1)..], call.Body);
        request.Path = split < 0 ? call.Path : call.Path[..split];
        return request;
    }

    /// <summary>The host's path: the worker runs the middleware around the function; a result the function returns is executed by the worker's HTTP proxying.</summary>
    private static async Task<HttpAnswer> HostAsync(AppUnderTest app, string function)
    {
        var call = Calls[function];
        var request = RequestFor(call);
        IActionResult? returned = null;
        await app.Create<ApiErrorMiddleware>().Invoke(
            new FakeFunctionContext(function, request.HttpContext, app.Services),
            async _ => returned = await call.Function(app.Create<ApiFunctions>(), request));
        return returned is null ? await ReadAsync(request) : await ExecuteAsync(request, returned);
    }

    /// <summary>Simulate's path: the same request through the route table.</summary>
    private static async Task<HttpAnswer> RouterAsync(AppUnderTest app, string function)
    {
        var request = RequestFor(Calls[function]);
        return await ExecuteAsync(request, await new ApiRouter(app.Services).SendAsync(request, CancellationToken.None));
    }

    private static void AssertSameAnswer(HttpAnswer host, HttpAnswer router)
    {
        Assert.Equal(host.Status, router.Status);
        Assert.Equal(host.ContentType, router.ContentType);
        Assert.Equal(host.Body, router.Body);
        Assert.Equal(
            host.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}: {h.Value}"),
            router.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}: {h.Value}"));
    }

    [Fact]
    public void Calls_CoverEveryRouteOfTheTable()
    {
        Assert.Equal(ApiRoutes.All.Select(r => r.Name).Order(), Calls.Keys.Order());
    }

    [Theory]
    [InlineData(ApiRoutes.ReconcilePool.Name)]
    [InlineData(ApiRoutes.ExplainPool.Name)]
    public async Task Route_ArmThrottles_HostAndRouterAnswer502ArmErrorWithRetryAfterAlike(string function)
    {
        await using var app = App();
        app.Emulator.AddFault(new FaultRule { Status = 429, ErrorCode = "TooManyRequests", RetryAfter = TimeSpan.FromSeconds(7) });

        var host = await HostAsync(app, function);
        var router = await RouterAsync(app, function);

        AssertProblem(host, 502, "arm-error");
        Assert.Equal("ARM answered 429 (TooManyRequests)", host.Json["detail"]!.GetValue<string>());
        Assert.Equal("7", host.Headers.RetryAfter.ToString());
        AssertSameAnswer(host, router);
        var logged = app.Logs.GetSnapshot().Where(r => r.Id.Name == "HttpArmFailed").ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, r => Assert.Contains(function, r.Message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, null, null, "ARM answered nothing (timeout or connection failure)", null)]
    [InlineData(503, "ServiceUnavailable", 6.2, "ARM answered 503 (ServiceUnavailable)", "7")]
    [InlineData(404, "ResourceGroupNotFound", null, "ARM answered 404 (ResourceGroupNotFound)", null)]
    public async Task ToProblem_ArmRequestException_Is502WithTheStatusCodeAndRetryAfterRoundedUp(int status, string? code, double? retryAfterSeconds, string detail, string? retryAfter)
    {
        await using var app = App();
        var failure = new ArmRequestException(status, code, "failed", retryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : null);

        var problem = app.Create<ApiErrors>().ToProblem(ApiRoutes.ReconcilePool.Name, failure)!;
        var answer = await ExecuteAsync(Request("POST"), problem);

        AssertProblem(answer, 502, "arm-error");
        Assert.Equal(detail, answer.Json["detail"]!.GetValue<string>());
        Assert.Equal(retryAfter, answer.Headers.RetryAfter.Count == 0 ? null : answer.Headers.RetryAfter.ToString());
    }

    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(OperationCanceledException))]
    [InlineData(typeof(TimeoutException))]
    public async Task ToProblem_AnyOtherException_IsNotAnswered(Type type)
    {
        await using var app = App();

        Assert.Null(app.Create<ApiErrors>().ToProblem(ApiRoutes.ListFindings.Name, (Exception)Activator.CreateInstance(type)!));
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Route_StateStoreUnavailable_HostAndRouterAnswer503StateUnavailableAlike(string function)
    {
        await using var app = App(new FailingStores(new StateStoreUnavailableException()).Register);

        var host = await HostAsync(app, function);
        var router = await RouterAsync(app, function);

        AssertProblem(host, 503, "state-unavailable");
        AssertSameAnswer(host, router);
        Assert.Equal(2, app.Logs.GetSnapshot().Count(r => r.Id.Name == "HttpStateUnavailable"));
    }

    [Fact]
    public async Task Invoke_UnmappedExceptionOfAnApiFunction_PropagatesAndWritesNothing()
    {
        await using var app = App();
        var request = Request("GET");

        await Assert.ThrowsAsync<InvalidOperationException>(() => app.Create<ApiErrorMiddleware>().Invoke(
            new FakeFunctionContext(ApiRoutes.ListFindings.Name, request.HttpContext, app.Services),
            _ => throw new InvalidOperationException("a bug")));

        Assert.Equal(0, (await ReadAsync(request)).Body.Length);
    }

    [Theory]
    [InlineData(RunQueuedAuditFunction.Name)]
    [InlineData(ScaleSetEventsFunction.Name)]
    [InlineData(FleetAuditFunction.Name)]
    public async Task Invoke_UpstreamFailureOfANonHttpFunction_PropagatesSoThePlatformRetries(string function)
    {
        await using var app = App();
        var request = Request("GET");

        await Assert.ThrowsAsync<ArmRequestException>(() => app.Create<ApiErrorMiddleware>().Invoke(
            new FakeFunctionContext(function, request.HttpContext, app.Services),
            _ => throw new ArmRequestException(503, "ServiceUnavailable", "ARM down")));
        await Assert.ThrowsAsync<StateStoreUnavailableException>(() => app.Create<ApiErrorMiddleware>().Invoke(
            new FakeFunctionContext(function, null, app.Services),
            _ => throw new StateStoreUnavailableException()));
    }

    [Fact]
    public async Task Invoke_NoFailure_LeavesTheFunctionsResultAlone()
    {
        await using var app = App();
        var request = RequestFor(Calls[ApiRoutes.ListFindings.Name]);
        IActionResult? returned = null;

        await app.Create<ApiErrorMiddleware>().Invoke(
            new FakeFunctionContext(ApiRoutes.ListFindings.Name, request.HttpContext, app.Services),
            async _ => returned = await app.Create<ApiFunctions>().ListFindingsAsync(request, CancellationToken.None));

        Assert.Equal(0, (await ReadAsync(request)).Body.Length);
        var answer = await ExecuteAsync(request, returned!);
        Assert.Equal(200, answer.Status);
        Assert.Empty(answer.Json["items"]!.AsArray());
    }

    /// <summary>State, finding and audit-run stores whose every read and write fails with one exception.</summary>
    private sealed class FailingStores(Exception failure)
    {
        public void Register(IServiceCollection services)
        {
            var state = Substitute.For<IStateStore>();
            state.GetPoolAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            state.SavePoolAsync(default(PoolRecord)!, default).ThrowsAsyncForAnyArgs(failure);
            state.SavePoolAsync(default(PoolWrite)!, default).ThrowsAsyncForAnyArgs(failure);
            state.GetProcessedEventAsync(default!, default!, default).ThrowsAsyncForAnyArgs(failure);
            state.AppendDecisionAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            state.GetDecisionsAsync(default!, default, default).ThrowsAsyncForAnyArgs(failure);
            state.ListPoolsAsync(default, default).ThrowsForAnyArgs(failure);
            var findings = Substitute.For<IFindingStore>();
            findings.GetAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            findings.ListForPoolAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            findings.ListAsync(default!, default).ThrowsForAnyArgs(failure);
            var runs = Substitute.For<IAuditRunStore>();
            runs.SaveAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            runs.GetAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            runs.ListAsync(default, default).ThrowsAsyncForAnyArgs(failure);
            var rollouts = Substitute.For<AnFunctions.Core.Rollouts.IRolloutStore>();
            rollouts.GetAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            rollouts.GetActiveAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            rollouts.GetLatestAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            rollouts.StartAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            rollouts.SaveAsync(default!, default).ThrowsAsyncForAnyArgs(failure);
            services.AddSingleton(state);
            services.AddSingleton(findings);
            services.AddSingleton(runs);
            services.AddSingleton(rollouts);
        }
    }
}
