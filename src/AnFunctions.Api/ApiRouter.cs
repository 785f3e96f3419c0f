using AnFunctions.Api.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Api;

/// <summary>A request's method and path matched against the route table: the route and its values, or the problem (404, 405) that answers instead.</summary>
public sealed record ApiRouteMatch(ApiRoute? Route, RouteValueDictionary Values, ApiResult? Problem);

/// <summary>
/// Routes requests to the endpoints in-process through <see cref="ApiRoutes.All"/>, as the Functions host routes them
/// to the functions (simulate's http steps). Failures of ARM and of the state store are answered by
/// <see cref="ApiErrors"/>, the same mapping the host's middleware applies, so both answer alike. The caller's role is
/// checked by the registered <see cref="ApiAuthorization"/>; without one (the CLI) authorization is off, and the router
/// says so on its first routed request.
/// </summary>
public sealed class ApiRouter
{
    private readonly IServiceProvider services;
    private readonly Lazy<ApiAuthorization> authorization;

    public ApiRouter(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        this.services = services;
        authorization = new(() => services.GetService<ApiAuthorization>()
            ?? ApiAuthorization.Off(services.GetService<Microsoft.Extensions.Logging.ILogger<ApiAuthorization>>()));
    }

    private static readonly (ApiRoute Route, TemplateMatcher Matcher)[] Matchers =
        ApiRoutes.All.Select(r => (r, new TemplateMatcher(TemplateParser.Parse(r.Template), new RouteValueDictionary()))).ToArray();

    /// <summary>
    /// Matches <paramref name="path"/> (with the <c>/api</c> prefix, percent-escapes kept) against the table; route
    /// values are unescaped. A path some route has under another method is 405, any other path 404.
    /// </summary>
    public static ApiRouteMatch Match(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        var prefix = "/" + ApiRoutes.Prefix;
        var below = path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase) ? path[prefix.Length..] : null;
        var pathMatched = false;
        foreach (var (route, matcher) in below is null ? [] : Matchers)
        {
            var values = new RouteValueDictionary();
            if (!matcher.TryMatch(new PathString(below), values))
            {
                continue;
            }

            if (route.Method.Equals(method, StringComparison.OrdinalIgnoreCase))
            {
                foreach (var (name, value) in values)
                {
                    values[name] = value is string text ? Uri.UnescapeDataString(text) : value;
                }

                return new ApiRouteMatch(route, values, null);
            }

            pathMatched = true;
        }

        return new ApiRouteMatch(null, [], pathMatched ? Problems.MethodNotAllowed(method) : Problems.RouteNotFound());
    }

    /// <summary>The answer to <paramref name="request"/>: its route's endpoint, or the problem of an unknown route or method.</summary>
    public async Task<IActionResult> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var match = Match(request.Method, request.Path.Value ?? "/");
        if (match.Route is not { } route)
        {
            return match.Problem!;
        }

        request.RouteValues = match.Values;
        if (authorization.Value.Check(route, request) is { } refused)
        {
            return refused;
        }

        try
        {
            return await route.Endpoint(services, request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ActivatorUtilities.GetServiceOrCreateInstance<ApiErrors>(services).ToProblem(route.Name, e) is { } problem)
        {
            return problem;
        }
    }
}
