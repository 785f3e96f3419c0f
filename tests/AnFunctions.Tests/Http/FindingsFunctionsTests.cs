using AnFunctions.Core.Audit;
using AnFunctions.Functions;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary><c>GET /api/findings</c> (filters, paging) and <c>GET /api/findings/{id}</c>.</summary>
public sealed class FindingsFunctionsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(now: Now);

    public async Task InitializeAsync()
    {
        // Three existing pools on an AN-capable size, created without AN: three informational findings.
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        for (var i = 0; i < 3; i++)
        {
            _app.Emulator.PutScaleSet(Fleet.ScaleSet($"plain-{i}", "Standard_D4s_v5", Now.AddDays(-10)));
        }

        await _app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private ApiFunctions Functions => _app.Create<ApiFunctions>();

    private Task<HttpAnswer> ListAsync(string query) => CallAsync(Request("GET", query), Functions.ListFindingsAsync);

    [Fact]
    public async Task ListFindings_PageSizeTwo_PagesThroughAllWithAnOpaqueToken()
    {
        var first = await ListAsync("pageSize=2&status=open&code=function-key");
        Assert.Equal(200, first.Status);
        Assert.Equal(2, first.Json["items"]!.AsArray().Count);
        var token = first.Json["continuation"]!.GetValue<string>();

        var second = await ListAsync("pageSize=2&status=open&continuation=" + token);

        var last = Assert.Single(second.Json["items"]!.AsArray())!;
        Assert.Null(second.Json["continuation"]);
        var ids = first.Json["items"]!.AsArray().Select(f => f!["id"]!.GetValue<string>()).Append(last["id"]!.GetValue<string>()).ToList();
        Assert.Equal(3, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("severity=critical", 0)]
    [InlineData("severity=INFO", 3)]
    [InlineData("status=resolved", 0)]
    [InlineData("kind=AcceleratedNetworkingAvailableButOff", 3)]
    [InlineData("kind=AcceleratedNetworkingLost", 0)]
    [InlineData("subscription=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", 3)]
    [InlineData("subscription=ffffffff-ffff-4fff-8fff-ffffffffffff", 0)]
    public async Task ListFindings_Filter_ListsTheMatchingFindings(string query, int expected)
    {
        var answer = await ListAsync(query);

        Assert.Equal(200, answer.Status);
        Assert.Equal(expected, answer.Json["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task GetFinding_KnownUnknownAndMalformedIds_Are200_404_400()
    {
        var id = (await ListAsync("pageSize=1")).Json["items"]![0]!["id"]!.GetValue<string>();

        var found = await CallAsync(Request("GET"), (r, ct) => Functions.GetFindingAsync(r, id, ct));
        Assert.Equal(200, found.Status);
        Assert.Equal(id, found.Json["id"]!.GetValue<string>());
        Assert.Equal("Info", found.Json["severity"]!.GetValue<string>());

        AssertProblem(await CallAsync(Request("GET"), (r, ct) => Functions.GetFindingAsync(r, "fnd-000000000000000000000000", ct)), 404, "finding-not-found");
        AssertProblem(await CallAsync(Request("GET"), (r, ct) => Functions.GetFindingAsync(r, "fnd-../../etc/passwd", ct)), 400, "invalid-finding-id");
    }
}
