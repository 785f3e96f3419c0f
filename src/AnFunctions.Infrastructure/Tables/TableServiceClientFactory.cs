using AnFunctions.Core.State;
using AnFunctions.Core.Telemetry;
using Azure.Core.Pipeline;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>The one <see cref="TableServiceClient"/> every Table store of the app shares, made from <see cref="StateOptions"/>.</summary>
public static class TableServiceClientFactory
{
    /// <summary>
    /// Service key of extra <see cref="HttpPipelinePolicy"/> instances added to the Table client's pipeline (per try),
    /// e.g. the benchmark's stand-in latency for a remote store: <c>services.AddKeyedSingleton&lt;HttpPipelinePolicy&gt;(PolicyKey, ...)</c>.
    /// </summary>
    public const string PolicyKey = "AnFunctions.Tables";

    /// <summary>
    /// Adds <see cref="StateOptions"/> and a singleton <see cref="TableServiceClient"/> made by <see cref="Create"/>,
    /// unless a client is registered already (by another store, or by the host or a test).
    /// </summary>
    internal static void TryAddClient(IServiceCollection services)
    {
        services.AddOptions<StateOptions>();
        services.TryAddSingleton(Create);
    }

    /// <summary>
    /// <see cref="StateOptions.ConnectionString"/> when set, else <see cref="StateOptions.TableServiceUri"/> with the
    /// <see cref="TokenCredential"/> registered in DI.
    /// </summary>
    internal static TableServiceClient Create(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<StateOptions>>().Value;
        var clientOptions = new TableClientOptions();
        clientOptions.AddPolicy(new TableRequestMeterPolicy(provider.GetService<AnMetrics>()), HttpPipelinePosition.PerRetry);
        foreach (var policy in provider.GetKeyedServices<HttpPipelinePolicy>(PolicyKey))
        {
            clientOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
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

/// <summary>
/// Counts every Table Storage request (each retry included): in <see cref="AnMetrics.TableRequests"/> by HTTP method,
/// and in <see cref="TableCallMeter"/> by kind for the flow that sends it (an audit run, an event).
/// </summary>
internal sealed class TableRequestMeterPolicy(AnMetrics? metrics) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var method = message.Request.Method.Method;
        metrics?.TableRequest(method);
        TableCallMeter.Record(Classify(method, message.Request.Uri.Path));
    }

    /// <summary>
    /// The kind of a Table request: <c>Read</c> (one entity by its keys), <c>Query</c>, <c>Insert</c>, <c>Replace</c>
    /// (update or upsert), <c>Merge</c>, <c>Delete</c>, <c>Transaction</c> (an entity-group transaction, one round trip
    /// whatever it holds), <c>CreateTable</c>, <c>DeleteTable</c>, <c>ListTables</c>.
    /// </summary>
    public static string Classify(string method, string path)
    {
        var trimmed = path.TrimEnd('/');
        var last = trimmed[(trimmed.LastIndexOf('/') + 1)..];
        if (last == "$batch")
        {
            return "Transaction";
        }

        if (last == "Tables" || last.StartsWith("Tables(", StringComparison.Ordinal))
        {
            return method.ToUpperInvariant() switch
            {
                "POST" => "CreateTable",
                "DELETE" => "DeleteTable",
                _ => "ListTables",
            };
        }

        var entity = last.Contains("PartitionKey", StringComparison.Ordinal);
        return method.ToUpperInvariant() switch
        {
            "GET" => entity ? "Read" : "Query",
            "POST" => "Insert",
            "PUT" => "Replace",
            "PATCH" or "MERGE" => "Merge",
            "DELETE" => "Delete",
            _ => "Other",
        };
    }
}
