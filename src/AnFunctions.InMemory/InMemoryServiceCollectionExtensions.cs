using AnFunctions.Core.Audit;
using AnFunctions.Core.Rollouts;
using AnFunctions.InMemory.Audit;
using AnFunctions.InMemory.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.InMemory;

public static class InMemoryServiceCollectionExtensions
{
    /// <summary>
    /// Every store and queue in process memory (<c>State:Store=InMemory</c>: <c>an simulate</c>, the emulator, the
    /// tests): pool state, findings, audit runs and rollouts, and the audit and rollout queues, which run a message at
    /// once through the same runner as the queue trigger (<see cref="InMemoryAuditQueue"/>, <see cref="InMemoryRolloutQueue"/>;
    /// a test resolves them by their own type to hold messages back). The state and finding stores replace any
    /// registered before; the rest are added unless one is registered already.
    /// </summary>
    public static IServiceCollection AddAnFunctionsInMemory(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddInMemoryStateStore();
        services.AddInMemoryFindingStore();
        services.TryAddSingleton<IAuditRunStore, InMemoryAuditRunStore>();
        services.TryAddSingleton<InMemoryAuditQueue>();
        services.TryAddSingleton<IAuditQueue>(sp => sp.GetRequiredService<InMemoryAuditQueue>());
        services.TryAddSingleton<IRolloutStore, InMemoryRolloutStore>();
        services.TryAddSingleton<InMemoryRolloutQueue>();
        services.TryAddSingleton<IRolloutQueue>(sp => sp.GetRequiredService<InMemoryRolloutQueue>());
        return services;
    }
}
