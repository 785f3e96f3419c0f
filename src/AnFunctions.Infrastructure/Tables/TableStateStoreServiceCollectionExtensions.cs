using AnFunctions.Core.State;
using AnFunctions.Infrastructure.Tables;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        TableServiceClientFactory.TryAddClient(services);
        services.RemoveAll<IStateStore>();
        services.AddSingleton<IStateStore, TableStateStore>();
        return services;
    }
}
