using AnFunctions.Api.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Api;

/// <summary>
/// Answers one request of a route: the app's services, the request (its route values in
/// <see cref="HttpRequest.RouteValues"/>) and the caller's token.
/// </summary>
public delegate Task<IActionResult> ApiEndpoint(IServiceProvider services, HttpRequest request, CancellationToken cancellationToken);

/// <summary>
/// One route of the HTTP API: the function's name, its method, its template below <c>/api</c>, the app role a caller
/// needs (<see cref="ApiAuthorization"/> checks it before the endpoint runs), its endpoint.
/// </summary>
public sealed record ApiRoute(string Name, string Method, string Template, ApiRole Role, ApiEndpoint Endpoint);

/// <summary>
/// The HTTP API's one route table. The Functions host's <c>[Function]</c> and <c>[HttpTrigger]</c> attributes take the
/// name, method and route of each function from the constants below (a test checks the built <c>functions.metadata</c>
/// against <see cref="All"/>); the in-process <see cref="ApiRouter"/> (simulate's http steps) routes through <see cref="All"/>.
/// Adding a route: a constants class here, one line in <see cref="All"/> with the role it needs (<see cref="ApiRole.Reader"/>
/// for a route that only reads, <see cref="ApiRole.Operator"/> for one that writes to ARM or starts work), the endpoint
/// method, one thin function in the host.
/// </summary>
public static class ApiRoutes
{
    /// <summary>The Functions host's route prefix (host.json <c>extensions.http.routePrefix</c>, default <c>api</c>).</summary>
    public const string Prefix = "api";

    public const string Get = "get";
    public const string Post = "post";

    public static class ReconcilePool
    {
        public const string Name = "ReconcilePool";
        public const string Method = Post;
        public const string Template = "pools/reconcile";
    }

    public static class ExplainPool
    {
        public const string Name = "ExplainPool";
        public const string Method = Get;
        public const string Template = "pools/explain";
    }

    public static class StartAudit
    {
        public const string Name = "StartAudit";
        public const string Method = Post;
        public const string Template = "audits";
    }

    public static class GetAudit
    {
        public const string Name = "GetAudit";
        public const string Method = Get;
        public const string RunId = "runId";
        public const string Template = "audits/{" + RunId + "}";
    }

    public static class ListFindings
    {
        public const string Name = "ListFindings";
        public const string Method = Get;
        public const string Template = "findings";
    }

    public static class GetFinding
    {
        public const string Name = "GetFinding";
        public const string Method = Get;
        public const string FindingId = "findingId";
        public const string Template = "findings/{" + FindingId + "}";
    }

    public static class StartRollout
    {
        public const string Name = "StartRollout";
        public const string Method = Post;
        public const string Template = "pools/rollout";
    }

    public static class GetRollout
    {
        public const string Name = "GetRollout";
        public const string Method = Get;
        public const string RolloutId = "rolloutId";
        public const string Template = "rollouts/{" + RolloutId + "}";
    }

    public static class GetReport
    {
        public const string Name = "GetReport";
        public const string Method = Get;
        public const string Template = "report";
    }

    public static IReadOnlyList<ApiRoute> All { get; } =
    [
        new(ReconcilePool.Name, ReconcilePool.Method, ReconcilePool.Template, ApiRole.Operator, (s, r, ct) => Endpoints<PoolsEndpoints>(s).ReconcileAsync(r, ct)),
        new(ExplainPool.Name, ExplainPool.Method, ExplainPool.Template, ApiRole.Reader, (s, r, ct) => Endpoints<PoolsEndpoints>(s).ExplainAsync(r, ct)),
        new(StartAudit.Name, StartAudit.Method, StartAudit.Template, ApiRole.Operator, (s, r, ct) => Endpoints<AuditsEndpoints>(s).StartAsync(r, ct)),
        new(GetAudit.Name, GetAudit.Method, GetAudit.Template, ApiRole.Reader, (s, r, ct) => Endpoints<AuditsEndpoints>(s).StatusAsync(r, RouteValue(r, GetAudit.RunId), ct)),
        new(ListFindings.Name, ListFindings.Method, ListFindings.Template, ApiRole.Reader, (s, r, ct) => Endpoints<FindingsEndpoints>(s).ListAsync(r, ct)),
        new(GetFinding.Name, GetFinding.Method, GetFinding.Template, ApiRole.Reader, (s, r, ct) => Endpoints<FindingsEndpoints>(s).GetAsync(r, RouteValue(r, GetFinding.FindingId), ct)),
        new(GetReport.Name, GetReport.Method, GetReport.Template, ApiRole.Reader, (s, r, ct) => Endpoints<Report.ReportEndpoints>(s).GetAsync(r, ct)),
        new(StartRollout.Name, StartRollout.Method, StartRollout.Template, ApiRole.Operator, (s, r, ct) => Endpoints<RolloutsEndpoints>(s).StartAsync(r, ct)),
        new(GetRollout.Name, GetRollout.Method, GetRollout.Template, ApiRole.Reader, (s, r, ct) => Endpoints<RolloutsEndpoints>(s).StatusAsync(r, RouteValue(r, GetRollout.RolloutId), ct)),
    ];

    /// <summary>The route of a function, by its name; null when the function is not an HTTP API route.</summary>
    public static ApiRoute? Find(string functionName) =>
        All.FirstOrDefault(r => r.Name.Equals(functionName, StringComparison.Ordinal));

    private static T Endpoints<T>(IServiceProvider services) where T : notnull => ActivatorUtilities.GetServiceOrCreateInstance<T>(services);

    private static string RouteValue(HttpRequest request, string name) =>
        request.RouteValues.TryGetValue(name, out var value) && value is string text
            ? text
            : throw new InvalidOperationException($"route value '{name}' missing: the request was not routed by {nameof(ApiRouter)}");
}
