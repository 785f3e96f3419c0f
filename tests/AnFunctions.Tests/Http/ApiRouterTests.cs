using AnFunctions.Api;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary>
/// The in-process routing of simulate's http steps over <see cref="ApiRoutes.All"/>: the host's paths and methods
/// reach the same routes (route values unescaped), anything else is a 404 or 405 problem.
/// </summary>
public sealed class ApiRouterTests
{
    public static TheoryData<string, string, string, string?, string?> Matches() => new()
    {
        { "POST", "/api/pools/reconcile", ApiRoutes.ReconcilePool.Name, null, null },
        { "GET", "/api/pools/explain", ApiRoutes.ExplainPool.Name, null, null },
        { "POST", "/api/audits", ApiRoutes.StartAudit.Name, null, null },
        { "GET", "/api/audits/audit-20261125T100000Z-0123abcd", ApiRoutes.GetAudit.Name, ApiRoutes.GetAudit.RunId, "audit-20261125T100000Z-0123abcd" },
        { "GET", "/api/findings", ApiRoutes.ListFindings.Name, null, null },
        { "GET", "/api/findings/fnd-..%2F..%2Fetc", ApiRoutes.GetFinding.Name, ApiRoutes.GetFinding.FindingId, "fnd-../../etc" },
        { "get", "/API/Findings/", ApiRoutes.ListFindings.Name, null, null },
    };

    [Theory]
    [MemberData(nameof(Matches))]
    public void Match_PathAndMethodOfARoute_FindsTheRouteWithItsUnescapedValue(string method, string path, string route, string? name, string? value)
    {
        var match = ApiRouter.Match(method, path);

        Assert.Null(match.Problem);
        Assert.Equal(route, match.Route!.Name);
        if (name is not null)
        {
            Assert.Equal(value, match.Values[name]);
        }
    }

    [Fact]
    public void Match_EveryRouteOfTheTable_IsReachableAtItsTemplate()
    {
        Assert.All(ApiRoutes.All, route =>
        {
            var path = "/" + ApiRoutes.Prefix + "/" + route.Template.Replace("{", string.Empty, StringComparison.Ordinal).Replace("}", string.Empty, StringComparison.Ordinal);
            Assert.Same(route, ApiRouter.Match(route.Method.ToUpperInvariant(), path).Route);
        });
    }

    [Theory]
    [InlineData("GET", "/api/pools/reconcile")]
    [InlineData("POST", "/api/pools/explain")]
    [InlineData("DELETE", "/api/audits/audit-20261125T100000Z-0123abcd")]
    [InlineData("PUT", "/api/findings")]
    public async Task SendAsync_KnownPathOtherMethod_Is405(string method, string path)
    {
        var request = Request(method);
        request.Path = path;

        var answer = await ExecuteAsync(request, await new ApiRouter(new EmptyServices()).SendAsync(request, CancellationToken.None));

        AssertProblem(answer, 405, "method-not-allowed");
    }

    [Theory]
    [InlineData("GET", "/api/pools")]
    [InlineData("GET", "/api/audits/a/b")]
    [InlineData("GET", "/findings")]
    [InlineData("GET", "/apifindings")]
    [InlineData("POST", "/api/pools/rollouts")]
    public async Task SendAsync_UnknownPath_Is404(string method, string path)
    {
        var request = Request(method);
        request.Path = path;

        var answer = await ExecuteAsync(request, await new ApiRouter(new EmptyServices()).SendAsync(request, CancellationToken.None));

        AssertProblem(answer, 404, "route-not-found");
    }

    /// <summary>A refused route never reaches an endpoint: no service is asked for.</summary>
    private sealed class EmptyServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => throw new InvalidOperationException($"{serviceType} asked for");
    }
}
