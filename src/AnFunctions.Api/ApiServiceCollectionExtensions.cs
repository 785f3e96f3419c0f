using AnFunctions.Api.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// The HTTP API's endpoints and its upstream error mapping, for a host that serves the routes (the Functions
    /// host), and the role check of every route (section <c>Auth</c>, on by default). <see cref="ApiRouter"/> also
    /// works without this: it creates what is not registered, with authorization off.
    /// </summary>
    public static IServiceCollection AddAnFunctionsApi(this IServiceCollection services)
    {
        services.AddOptions<ApiAuthOptions>().BindConfiguration(ApiAuthOptions.Section).ValidateOnStart();
        services.TryAddSingleton<ApiAuthorization>();
        services.TryAddSingleton<ApiErrors>();
        services.TryAddTransient<PoolsEndpoints>();
        services.TryAddTransient<AuditsEndpoints>();
        services.TryAddTransient<FindingsEndpoints>();
        services.TryAddTransient<RolloutsEndpoints>();
        services.TryAddTransient<Report.ReportEndpoints>();
        return services;
    }
}
