using System.Text.Json.Nodes;
using AnFunctions.Cli.Simulation;
using AnFunctions.Core.Events;
using AnFunctions.Core.State;
using AnFunctions.Functions;
using AnFunctions.Infrastructure.EventGrid;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Reliability;

/// <summary>
/// Property-based fuzzing (CsCheck) of everything that reads outside input: Event Grid deliveries, scenario files,
/// HTTP requests. Iterations per property: 2,000 by default, <c>ANFUNCTIONS_FUZZ_ITERATIONS</c> for the long run.
/// </summary>
public sealed class FuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly EventGridPayloadParser Parser = new();

    private static void AssertParsed(string payload)
    {
        var result = Parser.Parse(payload);
        Assert.True(result.Events.Count + result.Unreadable.Count > 0, "a delivery produced neither an event nor a rejection");
        Assert.All(result.Unreadable, u => Assert.False(string.IsNullOrWhiteSpace(u.Reason)));
        Assert.All(result.Events, e => Assert.False(string.IsNullOrWhiteSpace(e.Id)));
    }

    [Fact]
    public void Parse_ArbitraryStringsAndBytes_NeverThrowsAndGivesEveryRejectionAReason() =>
        Fuzz.Anything.Sample(AssertParsed, iter: Fuzz.Iterations());

    [Fact]
    public void Parse_MutatedEventGridAndCloudEvents_NeverThrowsAndGivesEveryRejectionAReason() =>
        Fuzz.Delivery.Sample(AssertParsed, iter: Fuzz.Iterations());

    [Fact]
    public async Task ScaleSetEvents_MutatedDeliveries_NeverThrowAndNeverWriteOutsideTheExistingPool()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-fuzz", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var function = app.Create<ScaleSetEventsFunction>();
        var store = app.Get<IStateStore>();
        var deliveries = 0;

        await Gen.Frequency((4, Fuzz.Delivery), (1, Fuzz.Anything)).SampleAsync(async payload =>
        {
            // No ARM fault is injected, so nothing is transient: DeliveryRetryException would be a bug too.
            await function.RunAsync(payload, CancellationToken.None);
            Interlocked.Increment(ref deliveries);
        }, iter: Fuzz.Iterations(), threads: 1);

        // The only pool that exists may be written once (it is new and AN-capable); nothing else, ever.
        Assert.All(app.Emulator.Writes, w => Assert.Equal(Fuzz.ExistingPool, w.ResourceId, ignoreCase: true));
        Assert.True(app.Emulator.Writes.Count(w => w.Status == 200) <= 1, "the existing pool was written more than once");
        await foreach (var rejected in store.ListRejectedEventsAsync(CancellationToken.None))
        {
            Assert.False(string.IsNullOrWhiteSpace(rejected.Reason));
        }

        Assert.True(deliveries > 0);
    }

    public static TheoryData<string> ScenarioFiles() => new(Directory.GetFiles(RepoPaths.Scenarios, "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void ScenarioLoaderParse_MutatedScenario_GivesAScenarioOrAnErrorNamingFileAndPlace(string file)
    {
        var original = File.ReadAllText(Path.Combine(RepoPaths.Scenarios, file));
        Assert.NotNull(ScenarioLoader.Parse(original, file)); // the unmutated file is valid

        var gen = Gen.Select(Fuzz.Mutations.List[1, 6], Gen.Int[0, 10_000].List[1, 6], Fuzz.TextDamages, (mutations, targets, damage) =>
        {
            var root = JsonNode.Parse(original)!;
            var containers = Containers(root).ToList();
            for (var i = 0; i < mutations.Count; i++)
            {
                var target = containers[targets[i % targets.Count] % containers.Count];
                switch (target)
                {
                    case JsonObject obj:
                        Fuzz.Apply(obj, mutations[i]);
                        break;
                    case JsonArray array when array.Count > 0 && mutations[i].Op == 0:
                        array.RemoveAt(mutations[i].Field % array.Count);
                        break;
                    case JsonArray array:
                        array.Insert(mutations[i].Field % (array.Count + 1), mutations[i].Value.Node?.DeepClone());
                        break;
                }

                containers = Containers(root).ToList();
            }

            return Fuzz.Damage(root.ToJsonString(), damage);
        });

        gen.Sample(json =>
        {
            try
            {
                Assert.NotNull(ScenarioLoader.Parse(json, file));
            }
            catch (ScenarioException e)
            {
                Assert.StartsWith(file + ": ", e.Message, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(e.Place));
                Assert.False(string.IsNullOrWhiteSpace(e.Problem));
            }
        }, iter: Math.Max(1, Fuzz.Iterations() / 4));
    }

    private static IEnumerable<JsonNode> Containers(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array,
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is JsonObject or JsonArray)
            {
                foreach (var c in Containers(child))
                {
                    yield return c;
                }
            }
        }
    }

    public enum Route
    {
        Reconcile,
        Explain,
        StartAudit,
        AuditStatus,
        ListFindings,
        GetFinding,
    }

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json", "text/plain", "application/xml",
        "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/x-www-form-urlencoded", "", ";;;", "application/json\r\nX: y",
    ];

    private static readonly string[] QueryKeys =
    [
        "resourceId", "subscriptionId", "resourceGroup", "dryRun", "severity", "kind", "status", "pageSize", "continuation", "poolId", "debug", "",
        "resourceId ", "RESOURCEID", "x\r\ny",
    ];

    private static readonly Gen<string> Query = Gen.Select(Gen.OneOf(QueryKeys), Fuzz.OddString, (k, v) => Uri.EscapeDataString(k) + "=" + Uri.EscapeDataString(v.Length > 3000 ? v[..3000] : v))
        .List[0, 4].Select(pairs => string.Join('&', pairs));

    private static readonly Gen<string?> Body = Gen.Frequency(
        (1, Gen.Const((string?)null)),
        (3, Gen.Select(Fuzz.OddString, Gen.Bool, Fuzz.Value, (id, dry, extra) =>
            (string?)new JsonObject { ["resourceId"] = id, ["dryRun"] = dry, ["subscriptionId"] = extra.Node?.DeepClone() }.ToJsonString())),
        (2, Fuzz.Value.Select(v => (string?)(v.Node?.ToJsonString() ?? "null"))),
        (1, Fuzz.Anything.Select(s => (string?)s)));

    private sealed record HttpCase(Route Route, string Method, string Query, string? Body, string ContentType, bool DeclareLength, string RouteValue, (string Name, string Value)[] Headers)
    {
        public override string ToString() => $"{Route} {Method} ?{Query} [{ContentType}] body={Body?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} route={RouteValue}";
    }

    private static readonly Gen<HttpCase> Requests = Gen.Select(
        Gen.Enum<Route>(), Gen.OneOf("GET", "POST", "PUT", "DELETE", "get", ""), Query, Body, Gen.OneOf(ContentTypes), Gen.Bool,
        Gen.Frequency((3, Fuzz.OddString), (1, Gen.OneOf("audit-20261125T100000Z-0123abcd", "fnd-0123456789abcdef01234567"))),
        Gen.Select(Gen.OneOf("Accept", "Content-Encoding", "X-Forwarded-For", "Authorization", "If-Match", "Transfer-Encoding"), Fuzz.OddString,
            (n, v) => (n, v)).Array[0, 3],
        (route, method, query, body, contentType, declare, routeValue, headers) => new HttpCase(route, method, query, body, contentType, declare, routeValue, headers));

    [Fact]
    public async Task HttpFunctions_RandomRequests_AnswerTwoOrFourHundredsWithProblemsForEveryRefusal()
    {
        await using var app = AppUnderTest.Create(new Dictionary<string, string?> { ["AcceleratedNetworking:Subscriptions"] = AppUnderTest.Subscription }, Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-fuzz", "Standard_D4s_v5", Now.AddMinutes(-1)));
        var functions = app.Create<ApiFunctions>();

        await Requests.SampleAsync(async c =>
        {
            var request = Request(c.Method, c.Query, c.Body, c.ContentType.Length == 0 ? null : c.ContentType, c.DeclareLength);
            foreach (var (name, value) in c.Headers)
            {
                request.Headers.Append(name, value);
            }

            IActionResult result = c.Route switch
            {
                Route.Reconcile => await functions.ReconcilePoolAsync(request, CancellationToken.None),
                Route.Explain => await functions.ExplainPoolAsync(request, CancellationToken.None),
                Route.StartAudit => await functions.StartAuditAsync(request, CancellationToken.None),
                Route.AuditStatus => await functions.GetAuditAsync(request, c.RouteValue, CancellationToken.None),
                Route.ListFindings => await functions.ListFindingsAsync(request, CancellationToken.None),
                _ => await functions.GetFindingAsync(request, c.RouteValue, CancellationToken.None),
            };
            var answer = await ExecuteAsync(request, result);

            Assert.True(answer.Status is >= 200 and < 300 or >= 400 and < 500, $"{c}: {answer.Status} {answer.Body}");
            if (answer.Status >= 400)
            {
                Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
                Assert.False(string.IsNullOrWhiteSpace(answer.ProblemType), $"{c}: a problem without a type");
            }
        }, iter: Math.Max(1, Fuzz.Iterations() / 2), threads: 1, print: c => c.ToString());

        // Only the one pool in scope that exists may ever be written, once.
        Assert.All(app.Emulator.Writes, w => Assert.Equal(Fuzz.ExistingPool, w.ResourceId, ignoreCase: true));
        Assert.True(app.Emulator.Writes.Count(w => w.Status == 200) <= 1);
    }

    /// <summary>The function surfaces only <see cref="DeliveryRetryException"/>, and only for transient causes.</summary>
    [Fact]
    public async Task ScaleSetEvents_MutatedDeliveriesWithArmDown_OnlyEverAskForRedelivery()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-fuzz", "Standard_D4s_v5", Now.AddMinutes(-1)));
        app.Emulator.AddFault(new Emulator.FaultRule { Status = 503, ErrorCode = "ServiceUnavailable" });
        var function = app.Create<ScaleSetEventsFunction>();

        await Fuzz.Delivery.SampleAsync(async payload =>
        {
            try
            {
                await function.RunAsync(payload, CancellationToken.None);
            }
            catch (DeliveryRetryException e)
            {
                Assert.NotEmpty(e.Retries);
                Assert.All(e.Retries, r => Assert.Contains("503", r.Detail, StringComparison.Ordinal));
            }
        }, iter: Math.Max(1, Fuzz.Iterations() / 4), threads: 1);

        Assert.DoesNotContain(app.Emulator.Writes, w => w.Status == 200);
    }
}
