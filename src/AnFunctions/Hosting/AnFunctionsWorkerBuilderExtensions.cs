using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using AnFunctions.Telemetry;
using Microsoft.Extensions.Hosting;

namespace AnFunctions.Hosting;

public static class AnFunctionsWorkerBuilderExtensions
{
    /// <summary>
    /// The whole worker set-up of Program.cs: ASP.NET Core integration for the HTTP functions, then the app's
    /// middleware, then its services. The order matters: <see cref="ApiAuthorizationMiddleware"/> and
    /// <see cref="ApiErrorMiddleware"/> must run inside the integration's HTTP proxying middleware, which gives the
    /// invocation its HTTP context, and the role check before anything else of the app.
    /// </summary>
    public static FunctionsApplicationBuilder ConfigureAnFunctions(this FunctionsApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ConfigureFunctionsWebApplication();
        builder.UseMiddleware<ApiAuthorizationMiddleware>();
        builder.UseMiddleware<ApiErrorMiddleware>();
        builder.Services.AddAnFunctions(builder.Configuration);
        builder.Services.AddAnFunctionsTelemetry(builder.Configuration);
        return builder;
    }
}
