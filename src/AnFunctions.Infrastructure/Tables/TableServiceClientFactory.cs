using AnFunctions.Core.Options;
using AnFunctions.Core.Telemetry;
using Azure.Core.Pipeline;
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
        var clientOptions = new TableClientOptions();
        if (provider.GetService<AnMetrics>() is { } metrics)
        {
            clientOptions.AddPolicy(new TableRequestMeterPolicy(metrics), HttpPipelinePosition.PerRetry);
        }

        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new TableServiceClient(options.ConnectionString, clientOptions);
        }

        if (options.TableServiceUri is not null)
        {
            var credential = provider.GetService<TokenCredential>()
                ?? throw new InvalidOperationException(
                    "State:TableServiceUri is set but no Azure.Core.TokenCredential is registered (register the app's managed identity credential)");
            return new TableServiceClient(options.TableServiceUri, credential, clientOptions);
        }

        throw new InvalidOperationException(
            "State:ConnectionString or State:TableServiceUri is required when State:Store is Table (or set AzureWebJobsStorage)");
    }
}

/// <summary>Counts every Table Storage request (each retry included) in <see cref="AnMetrics.TableRequests"/>.</summary>
internal sealed class TableRequestMeterPolicy(AnMetrics metrics) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message) => metrics.TableRequest(message.Request.Method.Method);
}
