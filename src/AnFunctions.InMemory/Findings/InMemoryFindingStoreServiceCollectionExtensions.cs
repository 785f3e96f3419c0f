using AnFunctions.Core.Findings;
using AnFunctions.InMemory.Findings;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class InMemoryFindingStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="InMemoryFindingStore"/> as the singleton <see cref="IFindingStore"/>, replacing any store
    /// registered before (the last <c>Add*FindingStore</c> call wins).
    /// </summary>
    public static IServiceCollection AddInMemoryFindingStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IFindingStore>();
        services.AddSingleton<IFindingStore, InMemoryFindingStore>();
        return services;
    }
}
