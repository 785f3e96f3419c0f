using AnFunctions.Core.Options;
using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class TableStateStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TableStateStore"/> as the singleton <see cref="IStateStore"/> (replacing any store registered
    /// before: the last <c>Add*StateStore</c> call wins), and a singleton <see cref="TableServiceClient"/> made from
    /// <see cref="StateOptions"/> unless one is registered already: <see cref="StateOptions.ConnectionString"/> when set,
    /// else <see cref="StateOptions.TableServiceUri"/> with the <see cref="TokenCredential"/> registered in DI.
    /// Binding and validating <see cref="StateOptions"/> is left to the host.
    /// </summary>
    public static IServiceCollection AddTableStateStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<StateOptions>();
        services.TryAddSingleton(CreateServiceClient);
        services.RemoveAll<IStateStore>();
        services.AddSingleton<IStateStore, TableStateStore>();
        return services;
    }

    private static TableServiceClient CreateServiceClient(IServiceProvider provider)
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
