using AnFunctions.Core.State;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class InMemoryStateStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="InMemoryStateStore"/> as the singleton <see cref="IStateStore"/>, replacing any store
    /// registered before (the last <c>Add*StateStore</c> call wins).
    /// </summary>
    public static IServiceCollection AddInMemoryStateStore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.RemoveAll<IStateStore>();
        services.AddSingleton<IStateStore, InMemoryStateStore>();
        return services;
    }
}
