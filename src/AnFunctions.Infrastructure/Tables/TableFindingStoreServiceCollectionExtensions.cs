using AnFunctions.Core.Findings;
using AnFunctions.Infrastructure.Tables;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class TableFindingStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="TableFindingStore"/> as the singleton <see cref="IFindingStore"/> (replacing any store
    /// registered before: the last <c>Add*FindingStore</c> call wins). It uses the singleton <see cref="TableServiceClient"/>
    /// of the state store, adding it from <see cref="StateOptions"/> exactly as <c>AddTableStateStore</c> does unless one
    /// is registered already; its table is <c>{State:TablePrefix}Findings</c>.
    /// </summary>
    public static IServiceCollection AddTableFindingStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        TableServiceClientFactory.TryAddClient(services);
        services.RemoveAll<IFindingStore>();
        services.AddSingleton<IFindingStore, TableFindingStore>();
        return services;
    }
}
