using AnFunctions.Core.Options;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>The one <see cref="TableServiceClient"/> every Table store of the app shares, made from <see cref="StateOptions"/>.</summary>
internal static class TableServiceClientFactory
{
    /// <summary>
    /// Adds <see cref="StateOptions"/> and a singleton <see cref="TableServiceClient"/> made by <see cref="Create"/>,
    /// unless a client is registered already (by another store, or by the host or a test).
    /// </summary>
    public static void TryAddClient(IServiceCollection services)
    {
        services.AddOptions<StateOptions>();
        services.TryAddSingleton(Create);
    }

    /// <summary>
    /// <see cref="StateOptions.ConnectionString"/> when set, else <see cref="StateOptions.TableServiceUri"/> with the
    /// <see cref="TokenCredential"/> registered in DI.
    /// </summary>
    public static TableServiceClient Create(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<StateOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new TableServiceClient(options.ConnectionString);
        }

        if (options.TableServiceUri is not null)
        {
            var credential = provider.GetService<TokenCredential>()
                ?? throw new InvalidOperationException(
                    "State:TableServiceUri is set but no Azure.Core.TokenCredential is registered (register the app's managed identity credential)");
            return new TableServiceClient(options.TableServiceUri, credential);
        }

        throw new InvalidOperationException(
            "State:ConnectionString or State:TableServiceUri is required when State:Store is Table (or set AzureWebJobsStorage)");
    }
}
