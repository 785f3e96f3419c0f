using System.Text.Json.Nodes;
using AnFunctions.HostProtocol.Tests.Host;
using AnFunctions.HostProtocol.Tests.Rpc;
using AnFunctions.HostProtocol.Tests.World;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>
/// The two paths to on-call for a critical finding, from one run: the app enables AN on a new pool, someone turns it
/// off, the timer audit opens <c>AcceleratedNetworkingLost</c> (critical) beside an info finding on an older pool;
/// then <c>DeliverAlerts</c> posts to the webhook, and the deployed alert rule's query reads the log lines the worker sent.
/// </summary>
[Collection(HostProtocolCollection.Name)]
[Trait("Category", "HostProtocol")]
public sealed class AlertTests(HostProtocolFixture fixture)
{
    [Fact]
    public async Task DeliverAlerts_CriticalFindingOpenedByTheAudit_PostsItToTheWebhook()
    {
        var run = await CriticalFindingRun.GetAsync(fixture);

        Assert.True(run.Deliver.Succeeded, run.Deliver.ToString());
        // Only the critical finding is at or above Alerts:MinimumSeverity (warning): one trigger.
        var post = Assert.Single(run.App.Webhook.Received);
        Assert.Equal("POST", post.Method);
        Assert.Equal(run.App.Webhook.Url.AbsolutePath, post.Path);
        var alert = JsonNode.Parse(post.Body)!;
        Assert.Equal("anfunctions.alert/v1", alert["schema"]!.GetValue<string>());
        Assert.Equal("trigger", alert["action"]!.GetValue<string>());
        Assert.Equal("acceleratedNetworkingLost", alert["kind"]!.GetValue<string>());
        Assert.Equal("critical", alert["severity"]!.GetValue<string>());
        Assert.Equal(run.LostPool, alert["pool"]!["resourceId"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AlertRule_Query_MatchesTheCriticalFindingOpenedLogTheWorkerSends()
    {
        var run = await CriticalFindingRun.GetAsync(fixture);
        var query = AlertRuleQuery.FromBicep(Path.Combine(Azurite.RepositoryRoot(), "infra", "app", "alerts.bicep"));

        var opened = run.Audit.Logs.Where(l => l.EventId == query.EventName).ToList();

        // Two findings opened (critical + info), each logged once; the host relays a user log of a running invocation only.
        Assert.Equal(2, opened.Count);
        Assert.All(opened, l =>
        {
            Assert.Equal(run.Audit.InvocationId, l.InvocationId);
            Assert.Equal(RpcLog.Types.RpcLogCategory.User, l.LogCategory);
        });
        var matched = opened.Where(l => query.Matches(AlertRuleQuery.Relay(l, "FleetAudit"))).ToList();
        var critical = Assert.Single(matched);
        Assert.Contains("AcceleratedNetworkingLost", critical.Message, StringComparison.Ordinal);
        Assert.Contains(run.LostPool, critical.Message, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The shared run: set up once, read by both tests.</summary>
    private sealed class CriticalFindingRun : IAsyncDisposable
    {
        private CriticalFindingRun(HostedApp app, string lostPool, Invocation audit, Invocation deliver)
        {
            App = app;
            LostPool = lostPool;
            Audit = audit;
            Deliver = deliver;
        }

        public HostedApp App { get; }

        public string LostPool { get; }

        public Invocation Audit { get; }

        public Invocation Deliver { get; }

        public static Task<CriticalFindingRun> GetAsync(HostProtocolFixture fixture) =>
            fixture.SharedAsync("critical-finding", () => StartAsync(fixture));

        public ValueTask DisposeAsync() => App.DisposeAsync();

        private static async Task<CriticalFindingRun> StartAsync(HostProtocolFixture fixture)
        {
            var app = await HostedApp.StartAsync(fixture);
            try
            {
                var lost = app.SeedScaleSet(HostedApp.UniqueName("pool-an-lost"));
                // An existing pool on an AN size without AN: an info finding (never sent to the webhook, not critical).
                app.SeedScaleSet(HostedApp.UniqueName("pool-an-off"), age: TimeSpan.FromDays(30));
                var enabled = await app.DeliverAsync(Events.Write(EventSchema.EventGrid, app.Subscription, lost, Guid.NewGuid().ToString()));
                Assert.True(enabled.Succeeded, enabled.ToString());
                Assert.True(app.HasAcceleratedNetworking(lost));

                // Someone turns AN off on the pool the app enabled it on.
                app.Emulator.ModifyScaleSet(lost, s => World.Arm.SetAcceleratedNetworking(s, false));

                var audit = await app.FireTimerAsync("FleetAudit");
                Assert.True(audit.Succeeded, audit.ToString());
                var deliver = await app.FireTimerAsync("DeliverAlerts");
                return new CriticalFindingRun(app, lost, audit, deliver);
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }
    }
}
