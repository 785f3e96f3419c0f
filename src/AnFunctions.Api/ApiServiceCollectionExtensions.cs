using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// The HTTP API's endpoints and its upstream error mapping, for a host that serves the routes (the Functions
    /// host). <see cref="ApiRouter"/> also works without this: it creates what is not registered.
    /// </summary>
    public static IServiceCollection AddAnFunctionsApi(this IServiceCollection services)
    {
        services.TryAddSingleton<ApiErrors>();
        services.TryAddTransient<PoolsEndpoints>();
        services.TryAddTransient<AuditsEndpoints>();
        services.TryAddTransient<FindingsEndpoints>();
        services.TryAddTransient<RolloutsEndpoints>();
        return services;
    }
}
