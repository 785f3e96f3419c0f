using AnFunctions.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace AnFunctions.Hosting;

/// <summary>
/// Answers the upstream failures of every HTTP API function (a route of <see cref="ApiRoutes"/>) with the problem
/// <see cref="ApiErrors"/> maps them to, written to the invocation's HTTP response; the in-process
/// <see cref="ApiRouter"/> uses the same mapping. Exceptions it does not map, and every exception of the other
/// functions (Event Grid, timers, the queue), propagate: the platform retries those.
/// </summary>
public sealed class ApiErrorMiddleware(ApiErrors errors) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiRoutes.Find(context.FunctionDefinition.Name) is { } route
            && context.GetHttpContext() is { } http
            && errors.ToProblem(route.Name, e) is { } problem)
        {
            await problem.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
        }
    }
}
