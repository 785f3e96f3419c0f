using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>
/// The built worker with authentication on (as deployed with an app registration) refuses callers by the role their
/// route declares, before the function does anything: an anonymous call is 401, a reader starting an audit 403, and
/// no audit run is recorded. In Azure, App Service answers the anonymous call itself; the worker's check is the
/// second line.
/// </summary>
[Collection(HostProtocolCollection.Name)]
[Trait("Category", "HostProtocol")]
public sealed class AuthorizationTests(HostProtocolFixture fixture)
{
    [Fact]
    public async Task StartAudit_AnonymousOrReader_RefusedAsProblemsAndNothingRuns()
    {
        await using var app = await HostedApp.StartAsync(fixture);

        var (anonymous, first) = await app.Worker.InvokeHttpAsync(
            "StartAudit", HttpMethod.Post, "api/audits", JsonContent.Create(new { subscriptionId = app.Subscription }));
        var (reader, second) = await app.Worker.InvokeHttpAsync(
            "StartAudit", HttpMethod.Post, "api/audits", JsonContent.Create(new { subscriptionId = app.Subscription }), headers: HostedApp.Reader);

        Assert.True(first.Succeeded, first.ToString());
        Assert.True(second.Succeeded, second.ToString());
        await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized, "unauthenticated");
        await AssertProblemAsync(reader, HttpStatusCode.Forbidden, "missing-role");
        // Nothing was recorded: the run table was not even created.
        var runs = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => app.AuditRunsAsync());
        Assert.Equal(404, runs.Status);
        Assert.Contains(first.Logs.Concat(second.Logs), l => l.EventId == "HttpRequestRefused");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("https://anfunctions.dev/problems/" + slug, problem["type"]!.GetValue<string>());
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
    }
}
