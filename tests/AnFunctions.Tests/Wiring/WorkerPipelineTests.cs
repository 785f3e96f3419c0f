using AnFunctions.Api;
using AnFunctions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;

namespace AnFunctions.Tests.Wiring;

/// <summary>
/// The worker set-up Program.cs runs (<see cref="AnFunctionsWorkerBuilderExtensions.ConfigureAnFunctions"/>). The
/// worker's <c>UseMiddleware&lt;T&gt;</c> registers each middleware as a singleton when it adds it to the pipeline,
/// so the order of those registrations is the order of the pipeline.
/// </summary>
public sealed class WorkerPipelineTests
{
    [Fact]
    public void ConfigureAnFunctions_Middleware_ApiErrorsRunInsideTheHttpProxying()
    {
        var builder = FunctionsApplication.CreateBuilder([]);

        builder.ConfigureAnFunctions();

        var services = builder.Services.Select(d => d.ServiceType).ToList();
        var proxying = services.FindIndex(t => t.Name == "FunctionsHttpProxyingMiddleware");
        var apiErrors = services.IndexOf(typeof(ApiErrorMiddleware));
        var authorization = services.IndexOf(typeof(ApiAuthorizationMiddleware));
        Assert.True(proxying >= 0, "the ASP.NET Core integration's proxying middleware is not registered");
        Assert.True(apiErrors > proxying, $"ApiErrorMiddleware at {apiErrors} must come after the proxying middleware at {proxying}");
        // The role check needs the invocation's HTTP context and must run before anything of the app.
        Assert.True(authorization > proxying && authorization < apiErrors, $"ApiAuthorizationMiddleware at {authorization} must come between the proxying middleware at {proxying} and ApiErrorMiddleware at {apiErrors}");
        Assert.Contains(typeof(ApiErrors), services);
        Assert.Contains(typeof(PoolsEndpoints), services);
    }
}
