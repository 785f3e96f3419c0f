using AnFunctions.Core.Decisions;
using AnFunctions.Core.Events;
using AnFunctions.Core.Options;
using AnFunctions.Core.Skus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AnFunctions.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// Decisions and handlers, shared by every composition root (Functions host, CLI, tests). Options are bound from
    /// the registered <c>IConfiguration</c> and validated when the host starts: a bad value stops the app with a
    /// message naming the key.
    /// </summary>
    public static IServiceCollection AddAnFunctionsCore(this IServiceCollection services)
    {
        services.AddOptions<AcceleratedNetworkingOptions>()
            .BindConfiguration(AcceleratedNetworkingOptions.Section, o => o.ErrorOnUnknownConfiguration = false)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<AlertsOptions>()
            .BindConfiguration(AlertsOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<Audit.AuditOptions>()
            .BindConfiguration(Audit.AuditOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<Retention.RetentionOptions>()
            .BindConfiguration(Retention.RetentionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Findings.FindingEngine>();
        services.TryAddSingleton<Findings.NodeCheck>();
        services.TryAddSingleton<Findings.RefusedWriteHandler>();
        services.TryAddSingleton<Alerts.AlertDispatcher>();
        services.TryAddSingleton<Alerts.AlertPump>();
        services.TryAddSingleton<IVmSizeCatalogProvider, CachingVmSizeCatalogProvider>();
        services.TryAddSingleton<WriteFollowUp>();
        services.TryAddSingleton<PoolReconciler>();
        services.TryAddSingleton<ScaleSetEventHandler>();
        services.TryAddSingleton<EventDeliveryProcessor>();
        services.TryAddSingleton<Audit.AuditSweeper>();
        services.TryAddSingleton<Audit.FleetAudit>();
        services.TryAddSingleton<Audit.AuditStarter>();
        services.TryAddSingleton<Audit.QueuedAuditRunner>();
        services.TryAddSingleton<Explain.PoolExplainer>();
        services.TryAddSingleton<Rollouts.RolloutStarter>();
        services.TryAddSingleton<Rollouts.RolloutRunner>();
        services.TryAddSingleton<Retention.StoragePruner>();
        // Metrics need an IMeterFactory (AddMetrics(): the composition roots get it from AddAnFunctionsInfrastructure).
        services.TryAddSingleton<Telemetry.AnMetrics>();
        services.TryAddSingleton<Fleet.FleetReportBuilder>();
        services.TryAddSingleton<Telemetry.FleetObserver>();
        return services;
    }
}
