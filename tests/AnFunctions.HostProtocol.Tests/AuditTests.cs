using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AnFunctions.HostProtocol.Tests.Rpc;
using AnFunctions.HostProtocol.Tests.World;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>The audit as the host runs it: on its timer, and queued over HTTP then run by the Storage queue trigger.</summary>
[Collection(HostProtocolCollection.Name)]
[Trait("Category", "HostProtocol")]
public sealed class AuditTests(HostProtocolFixture fixture)
{
    private const string QueueName = "audit-runs";

    [Fact]
    public async Task FleetAudit_TimerFires_EnablesAnOnANewPoolWhoseEventWasLostAndRecordsTheRun()
    {
        await using var app = await HostedApp.StartAsync(fixture);
        var pool = app.SeedScaleSet(HostedApp.UniqueName("pool-lost-event"));

        var audit = await app.FireTimerAsync("FleetAudit");

        Assert.True(audit.Succeeded, audit.ToString());
        Assert.Single(app.Patches(pool).Accepted);
        Assert.True(app.HasAcceleratedNetworking(pool));
        var record = await app.PoolRecordAsync(pool);
        Assert.NotNull(record);
        Assert.True(record.GetBoolean("EnabledByApp"));
        var run = Assert.Single(await app.AuditRunsAsync());
        Assert.Equal("Completed", run.GetString("Status"));
        Assert.Equal("timer", JsonNode.Parse(run.GetString("Json"))!["trigger"]!.GetValue<string>());
    }

    [Fact]
    public async Task StartAudit_PostOverTheHttpProxy_QueuesOnAzuriteAndTheQueueTriggerRunsIt()
    {
        await using var app = await HostedApp.StartAsync(fixture);
        var pool = app.SeedScaleSet(HostedApp.UniqueName("pool-queued"));

        // POST /api/audits: the host forwards the request to the worker's HTTP proxy and sends the invocation.
        var (accepted, start) = await app.Worker.InvokeHttpAsync(
            "StartAudit", HttpMethod.Post, "api/audits", JsonContent.Create(new { subscriptionId = app.Subscription }), headers: HostedApp.Operator);

        Assert.True(start.Succeeded, start.ToString());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var answer = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!;
        var runId = answer["runId"]!.GetValue<string>();
        Assert.Equal($"/api/audits/{runId}", answer["statusUrl"]!.GetValue<string>());
        Assert.Equal(answer["statusUrl"]!.GetValue<string>(), accepted.Headers.Location?.OriginalString);
        Assert.Empty(app.Patches(pool).All);

        // The message is on the real queue; the host's queue extension would take it and invoke the trigger with its text.
        var queue = new QueueClient(fixture.Azurite.ConnectionString, QueueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var message = await ReceiveRunMessageAsync(queue, runId);
        Assert.Equal(app.Subscription, JsonNode.Parse(message.MessageText)!["subscriptionId"]!.GetValue<string>());

        var run = await app.Worker.InvokeAsync("RunQueuedAudit", new TypedData { String = message.MessageText }, QueueTriggerMetadata(message));

        Assert.True(run.Succeeded, run.ToString());
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        Assert.Single(app.Patches(pool).Accepted);
        Assert.True(app.HasAcceleratedNetworking(pool));

        // GET /api/audits/{runId} over the proxy: the run the queue trigger finished.
        var (status, get) = await app.Worker.InvokeHttpAsync(
            "GetAudit", HttpMethod.Get, $"api/audits/{runId}", routeParameters: new Dictionary<string, string> { ["runId"] = runId }, headers: HostedApp.Reader);

        Assert.True(get.Succeeded, get.ToString());
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var view = JsonNode.Parse(await status.Content.ReadAsStringAsync())!;
        Assert.Equal(runId, view["run"]!["runId"]!.GetValue<string>());
        Assert.Equal("completed", view["run"]!["status"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Takes this test's message off the shared queue (other runs on the same Azurite may have messages there too: those
    /// become visible again after a short while). Azurite holds it as soon as the 202 is sent, so it is there now.
    /// </summary>
    private static async Task<QueueMessage> ReceiveRunMessageAsync(QueueClient queue, string runId)
    {
        var seen = new List<string>();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var batch = await queue.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromSeconds(2));
            foreach (var message in batch.Value)
            {
                if (JsonNode.Parse(message.MessageText)?["runId"]?.GetValue<string>() == runId)
                {
                    return message;
                }

                seen.Add(message.MessageText);
            }

            if (batch.Value.Length == 0)
            {
                break;
            }
        }

        throw new Xunit.Sdk.XunitException($"No message for run {runId} on queue {QueueName}. Seen: {string.Join("; ", seen)}");
    }

    /// <summary>The trigger metadata the Storage queue extension gives an invocation.</summary>
    private static Dictionary<string, TypedData> QueueTriggerMetadata(QueueMessage message) => new()
    {
        ["Id"] = new TypedData { String = message.MessageId },
        ["PopReceipt"] = new TypedData { String = message.PopReceipt },
        ["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["InsertionTime"] = new TypedData { Json = $"\"{message.InsertedOn:O}\"" },
        ["ExpirationTime"] = new TypedData { Json = $"\"{message.ExpiresOn:O}\"" },
        ["NextVisibleTime"] = new TypedData { Json = $"\"{message.NextVisibleOn:O}\"" },
        ["QueueTrigger"] = new TypedData { String = message.MessageText },
    };
}
