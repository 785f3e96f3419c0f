using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using AnFunctions.Core.Audit;
using AnFunctions.Infrastructure.Queues;
using Azure.Core.Pipeline;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace AnFunctions.Infrastructure.Tests.Queues;

/// <summary>The Storage Queues adapter with the real SDK client over a recording transport: what goes on the wire.</summary>
public sealed class StorageAuditQueueTests
{
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public List<(HttpMethod Method, Uri Uri, string Body)> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
            Requests.Add((request.Method, request.RequestUri!, body));
            if (request.Method == HttpMethod.Put)
            {
                return new HttpResponseMessage(HttpStatusCode.Created);
            }

            return new HttpResponseMessage(HttpStatusCode.Created)
            {
                Content = new StringContent(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage><MessageId>m1</MessageId><InsertionTime>Wed, 25 Nov 2026 10:00:00 GMT</InsertionTime><ExpirationTime>Wed, 02 Dec 2026 10:00:00 GMT</ExpirationTime><PopReceipt>p</PopReceipt><TimeNextVisible>Wed, 25 Nov 2026 10:00:00 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>",
                    Encoding.UTF8, "application/xml"),
            };
        }
    }

    [Fact]
    public async Task EnqueueAsync_Message_CreatesTheQueueOnceAndSendsBase64Json()
    {
        var handler = new RecordingHandler();
        var options = StorageAuditQueue.ClientOptions();
        options.Transport = new HttpClientTransport(new HttpClient(handler));
        options.Retry.MaxRetries = 0;
        var client = new QueueClient("UseDevelopmentStorage=true", AuditRunMessage.QueueName, options);
        var queue = new StorageAuditQueue(client);
        var message = new AuditRunMessage("audit-20261125T100000Z-0123abcd", "http", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "k8s-test", true, new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

        await queue.EnqueueAsync(message, CancellationToken.None);
        await queue.EnqueueAsync(message, CancellationToken.None);

        Assert.Single(handler.Requests, r => r.Method == HttpMethod.Put);
        var sends = handler.Requests.Where(r => r.Method == HttpMethod.Post).ToList();
        Assert.Equal(2, sends.Count);
        Assert.EndsWith("/audit-runs/messages", sends[0].Uri.AbsolutePath, StringComparison.Ordinal);
        var text = XDocument.Parse(sends[0].Body).Root!.Element("MessageText")!.Value;
        var json = JsonNode.Parse(Convert.FromBase64String(text))!;
        Assert.Equal("audit-20261125T100000Z-0123abcd", json["runId"]!.GetValue<string>());
        Assert.Equal("http", json["trigger"]!.GetValue<string>());
        Assert.Equal("k8s-test", json["resourceGroup"]!.GetValue<string>());
        Assert.True(json["dryRun"]!.GetValue<bool>());
        Assert.Equal(message, AuditRunMessage.TryParse(json.ToJsonString()));
    }

    [Fact]
    public async Task EnqueueAsync_Rollout_SendsItsIdAsBase64JsonOnTheRolloutsQueue()
    {
        var handler = new RecordingHandler();
        var options = StorageAuditQueue.ClientOptions();
        options.Transport = new HttpClientTransport(new HttpClient(handler));
        options.Retry.MaxRetries = 0;
        var queue = new StorageRolloutQueue(new QueueClient("UseDevelopmentStorage=true", AnFunctions.Core.Rollouts.RolloutMessage.QueueName, options));

        await queue.EnqueueAsync(new AnFunctions.Core.Rollouts.RolloutMessage("rollout-20261125T100000Z-0123abcd"), CancellationToken.None);

        var send = Assert.Single(handler.Requests, r => r.Method == HttpMethod.Post);
        Assert.EndsWith("/rollouts/messages", send.Uri.AbsolutePath, StringComparison.Ordinal);
        var text = Encoding.UTF8.GetString(Convert.FromBase64String(XDocument.Parse(send.Body).Root!.Element("MessageText")!.Value));
        Assert.Equal("{\"rolloutId\":\"rollout-20261125T100000Z-0123abcd\"}", text);
        Assert.Equal("rollout-20261125T100000Z-0123abcd", AnFunctions.Core.Rollouts.RolloutMessage.TryParse(text)!.RolloutId);
    }

    [Fact]
    public async Task TableComposition_WithoutHostStorage_BuildsAndSaysWhatIsMissingOnlyWhenAQueueIsUsed()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["State:Store"] = "Table",
            ["State:ConnectionString"] = "UseDevelopmentStorage=true",
        }).Build();
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<IConfiguration>(services, configuration);
        Microsoft.Extensions.DependencyInjection.LoggingServiceCollectionExtensions.AddLogging(services);
        AnFunctions.Core.CoreServiceCollectionExtensions.AddAnFunctionsCore(services);
        InfrastructureServiceCollectionExtensions.AddAnFunctionsInfrastructure(services, configuration);
        await using var provider = Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(services);

        // A reconcile may start a rollout (RolloutNewPools): building it must not need the queue's storage settings.
        Assert.NotNull(Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<AnFunctions.Core.Decisions.PoolReconciler>(provider));
        var queue = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<AnFunctions.Core.Rollouts.IRolloutQueue>(provider);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.EnqueueAsync(new AnFunctions.Core.Rollouts.RolloutMessage("rollout-20261125T100000Z-0123abcd"), CancellationToken.None));
        Assert.Contains("AzureWebJobsStorage", failure.Message, StringComparison.Ordinal);
        Assert.Contains("rollouts", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AzureWebJobsStorage:accountName", "stan123", "https://stan123.queue.core.windows.net/audit-runs")]
    [InlineData("AzureWebJobsStorage:queueServiceUri", "https://stan123.queue.core.windows.net/", "https://stan123.queue.core.windows.net/audit-runs")]
    public void CreateQueueClient_IdentitySettings_PointAtTheHostAccountsQueue(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var client = InfrastructureServiceCollectionExtensions.CreateQueueClient(configuration, () => new Azure.Identity.DefaultAzureCredential(), AnFunctions.Core.Audit.AuditRunMessage.QueueName);

        Assert.Equal(expected, client.Uri.ToString());
    }

    [Fact]
    public void CreateQueueClient_NoStorageSetting_Throws()
    {
        var configuration = new ConfigurationBuilder().Build();

        Assert.Throws<InvalidOperationException>(() => InfrastructureServiceCollectionExtensions.CreateQueueClient(configuration, () => throw new InvalidOperationException("no credential"), AnFunctions.Core.Audit.AuditRunMessage.QueueName));
    }
}
