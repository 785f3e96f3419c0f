using AnFunctions.Api;
using AnFunctions.Core;
using AnFunctions.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AnFunctions.Hosting;

public static class AnFunctionsServiceCollectionExtensions
{
    /// <summary>The Functions host's composition: Core decisions and handlers, Azure adapters, the HTTP API's endpoints, settings validated at start.</summary>
    public static IServiceCollection AddAnFunctions(this IServiceCollection services, IConfiguration configuration) =>
        services
            .AddAnFunctionsCore()
            .AddAnFunctionsInfrastructure(configuration)
            .AddAnFunctionsApi()
            .AddHostedService<ApiAuthorizationAnnouncer>();
}
