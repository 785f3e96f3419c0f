using AnFunctions.Api;
using AnFunctions.Api.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AnFunctions.Hosting;

/// <summary>
/// Checks the caller of every HTTP API function against the role its route declares (<see cref="ApiRoutes.All"/>)
/// before the function runs: a refused call is answered 401/403 with an RFC 9457 problem and the function is not
/// invoked. Other functions (Event Grid, timers, the queue) pass through.
/// </summary>
public sealed class ApiAuthorizationMiddleware(ApiAuthorization authorization) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (ApiRoutes.Find(context.FunctionDefinition.Name) is { } route)
        {
            var http = context.GetHttpContext()
                ?? throw new InvalidOperationException($"HTTP function {route.Name} has no HTTP context: is the ASP.NET Core integration registered before this middleware?");
            if (authorization.Check(route, http.Request) is { } refused)
            {
                await refused.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    }
}
