using AnFunctions.Core.Events;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Infrastructure.Arm;
using AnFunctions.Infrastructure.Compute;
using AnFunctions.Infrastructure.EventGrid;
using AnFunctions.Infrastructure.Queues;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.InMemory;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure;

public static class InfrastructureServiceCollectionExtensions
{
    /// <summary>
    /// The Azure adapters: ARM (SDK + pipeline) with one credential, the Event Grid parser and the state store chosen
    /// by <c>State:Store</c>. Tests and the CLI replace <see cref="TokenCredential"/> and
    /// <see cref="HttpPipelineTransport"/> to talk to the emulator.
    /// </summary>
    public static IServiceCollection AddAnFunctionsInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArmOptions>()
            .BindConfiguration(ArmOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddOptions<StateOptions>()
            .BindConfiguration(StateOptions.Section)
            .PostConfigure(o => UseHostStorageWhenUnset(o, configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton<TokenCredential>(sp =>
        {
            var clientId = sp.GetRequiredService<IOptions<ArmOptions>>().Value.ManagedIdentityClientId;
            return new DefaultAzureCredential(new DefaultAzureCredentialOptions
            {
                ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId,
            });
        });
        services.TryAddSingleton<HttpPipelineTransport>(_ => HttpClientTransport.Shared);
        services.AddMetrics(); // IMeterFactory for Core's AnMetrics
        services.TryAddSingleton<ArmConnection>();
        services.TryAddSingleton<IScaleSetClient, ArmScaleSetClient>();
        services.TryAddSingleton<Core.ScaleSets.IScaleSetIndex, ResourceGraphScaleSetIndex>();
        services.TryAddSingleton<IVmSizeSource, ArmVmSizeSource>();
        services.TryAddSingleton<Core.Audit.ISubscriptionSource, ArmSubscriptionSource>();
        services.TryAddSingleton<Core.ActivityLog.IActivityLog, ArmActivityLog>();
        services.TryAddSingleton<IEventPayloadParser, EventGridPayloadParser>();
        services.AddAlertSinks();

        // The store is chosen once, from configuration; its settings are validated at start like every other.
        var store = configuration.GetValue<StateStoreKind?>($"{StateOptions.Section}:Store") ?? StateStoreKind.Table;
        if (store == StateStoreKind.InMemory)
        {
            services.AddAnFunctionsInMemory();
            return services;
        }

        services.TryAddSingleton<Core.Audit.IAuditQueue>(sp => new StorageAuditQueue(new Lazy<QueueClient>(() => CreateQueueClient(configuration, sp.GetRequiredService<TokenCredential>, Core.Audit.AuditRunMessage.QueueName))));
        services.TryAddSingleton<Core.Rollouts.IRolloutQueue>(sp => new StorageRolloutQueue(new Lazy<QueueClient>(() => CreateQueueClient(configuration, sp.GetRequiredService<TokenCredential>, Core.Rollouts.RolloutMessage.QueueName))));
        services.TryAddSingleton<Core.Rollouts.IRolloutStore, Tables.TableRolloutStore>();
        services.AddTableStateStore();
        services.AddTableFindingStore();
        services.TryAddSingleton<Core.Audit.IAuditRunStore, Tables.TableAuditRunStore>();
        return services;
    }

    /// <summary>
    /// A queue a host's queue trigger reads, in the host's storage account: the <c>AzureWebJobsStorage</c>
    /// connection string, else <c>AzureWebJobsStorage__queueServiceUri</c> or <c>AzureWebJobsStorage__accountName</c>
    /// with the app's identity.
    /// </summary>
    internal static QueueClient CreateQueueClient(IConfiguration configuration, Func<TokenCredential> credential, string queueName)
    {
        var options = StorageAuditQueue.ClientOptions();
        var connectionString = configuration["AzureWebJobsStorage"];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new QueueClient(connectionString, queueName, options);
        }

        var serviceUri = configuration["AzureWebJobsStorage:queueServiceUri"] is { Length: > 0 } uri
            ? new Uri(uri)
            : configuration["AzureWebJobsStorage:accountName"] is { Length: > 0 } account
                ? new Uri($"https://{account}.queue.core.windows.net")
                : throw new InvalidOperationException(
                    $"queued work ({queueName}) needs the host's storage: set AzureWebJobsStorage, AzureWebJobsStorage__accountName or AzureWebJobsStorage__queueServiceUri");
        return new QueueClient(new Uri(serviceUri, queueName), credential(), options);
    }

    /// <summary>
    /// Without explicit State settings the app keeps its tables in the host's storage account: the
    /// <c>AzureWebJobsStorage</c> connection string, or <c>AzureWebJobsStorage__accountName</c> with the identity.
    /// </summary>
    private static void UseHostStorageWhenUnset(StateOptions options, IConfiguration configuration)
    {
        if (options.Store != StateStoreKind.Table || options.ConnectionString is not null || options.TableServiceUri is not null)
        {
            return;
        }

        var connectionString = configuration["AzureWebJobsStorage"];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            options.ConnectionString = connectionString;
            return;
        }

        var account = configuration["AzureWebJobsStorage:accountName"];
        if (!string.IsNullOrWhiteSpace(account))
        {
            options.TableServiceUri = new Uri($"https://{account}.table.core.windows.net");
        }
    }
}
