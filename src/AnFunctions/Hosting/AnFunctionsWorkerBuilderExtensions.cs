using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Hosting;

namespace AnFunctions.Hosting;

public static class AnFunctionsWorkerBuilderExtensions
{
    /// <summary>
    /// The worker's middleware, registered after <c>ConfigureFunctionsWebApplication</c> (whose HTTP proxying middleware
    /// must run first, to give the invocation its HTTP context): <see cref="ApiErrorMiddleware"/> answers the HTTP API's
    /// upstream failures.
    /// </summary>
    public static IFunctionsWorkerApplicationBuilder UseAnFunctionsMiddleware(this IFunctionsWorkerApplicationBuilder builder) =>
        builder.UseMiddleware<ApiErrorMiddleware>();
}
