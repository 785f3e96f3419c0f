using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using Microsoft.Extensions.Time.Testing;
using static AnFunctions.Infrastructure.Tests.Emulator.EmulatorTestData;

namespace AnFunctions.Infrastructure.Tests.Emulator;

/// <summary>
/// ARM throttles the way it documents it: token buckets per principal, per subscription and per kind of operation
/// (reads 250 refilling 25/s, writes 200 refilling 10/s), remaining quota in <c>x-ms-ratelimit-remaining-*</c>, and
/// 429 with <c>Retry-After</c> on an empty bucket. Buckets refill on the emulator's clock.
/// </summary>
public sealed class ArmEmulatorThrottlingTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly ArmEmulator _emulator;

    public ArmEmulatorThrottlingTests()
    {
        _emulator = new ArmEmulator(_time);
        _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
    }

    private HttpClient Client(string token = "token-a")
    {
        var http = EmulatorArm.CreateHttpClient(_emulator);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static Uri At(string id) => new(id + "?api-version=2024-11-01", UriKind.Relative);

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string id) => await http.GetAsync(At(id));

    private static async Task<HttpResponseMessage> PatchTagsAsync(HttpClient http, string id) =>
        await http.PatchAsync(At(id), new StringContent("""{"tags":{"a":"b"}}""", Encoding.UTF8, "application/json"));

    [Fact]
    public void Throttling_Default_IsOnWithArmsDocumentedBuckets()
    {
        var throttling = new ArmEmulator().Throttling;

        Assert.True(throttling.Enabled);
        Assert.Equal((250, 25.0), (throttling.ReadBucket, throttling.ReadsPerSecond));
        Assert.Equal((200, 10.0), (throttling.WriteBucket, throttling.WritesPerSecond));
        Assert.Equal((200, 10.0), (throttling.DeleteBucket, throttling.DeletesPerSecond));
    }

    [Fact]
    public async Task Get_250ReadsInABurst_RemainingCountsDownThenThe251stIs429WithRetryAfter()
    {
        using var http = Client();
        var id = ScaleSetId("vmss-a");
        var remaining = new List<int>();
        for (var i = 0; i < 250; i++)
        {
            using var ok = await GetAsync(http, id);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            remaining.Add(int.Parse(Header(ok, "x-ms-ratelimit-remaining-subscription-reads")!, System.Globalization.CultureInfo.InvariantCulture));
        }

        using var throttled = await GetAsync(http, id);

        Assert.Equal(Enumerable.Range(0, 250).Reverse(), remaining);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("1", Header(throttled, "Retry-After"));
        Assert.Equal("0", Header(throttled, "x-ms-ratelimit-remaining-subscription-reads"));
        var error = JsonNode.Parse(await throttled.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("SubscriptionRequestsThrottled", error["code"]!.GetValue<string>());
        Assert.Equal(429, _emulator.RequestLog[^1].Status);
    }

    [Fact]
    public async Task Get_EmptyBucket_RefillsAt25PerSecondOnTheEmulatorsClock()
    {
        using var http = Client();
        var id = ScaleSetId("vmss-a");
        for (var i = 0; i < 250; i++)
        {
            (await GetAsync(http, id)).Dispose();
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 26; i++)
        {
            using var response = await GetAsync(http, id);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(25, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task Patch_200WritesThenThrottled_RetryAfterIsTheRefillOfOneTokenAndTheScaleSetIsUntouched()
    {
        using var http = Client();
        var id = ScaleSetId("vmss-a");
        _emulator.OperationDuration = TimeSpan.Zero;
        for (var i = 0; i < 200; i++)
        {
            using var ok = await PatchTagsAsync(http, id);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal((199 - i).ToString(System.Globalization.CultureInfo.InvariantCulture), Header(ok, "x-ms-ratelimit-remaining-subscription-writes"));
        }

        var etag = _emulator.GetETag(id);
        using var throttled = await PatchTagsAsync(http, id);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("1", Header(throttled, "Retry-After"));
        Assert.Equal(etag, _emulator.GetETag(id));
        Assert.Equal(429, _emulator.Writes[^1].Status);

        _time.Advance(TimeSpan.FromSeconds(20));
        using var refilled = await PatchTagsAsync(http, id);
        Assert.Equal("199", Header(refilled, "x-ms-ratelimit-remaining-subscription-writes"));
    }

    [Fact]
    public async Task Get_AnotherPrincipalOrAnotherSubscription_HasABucketOfItsOwn()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-b", subscriptionId: OtherSubscriptionId));
        using var first = Client("token-a");
        using var second = Client("token-b");
        for (var i = 0; i < 250; i++)
        {
            (await GetAsync(first, ScaleSetId("vmss-a"))).Dispose();
        }

        using var sameAgain = await GetAsync(first, ScaleSetId("vmss-a"));
        using var otherPrincipal = await GetAsync(second, ScaleSetId("vmss-a"));
        using var otherSubscription = await GetAsync(first, ScaleSetId("vmss-b", subscriptionId: OtherSubscriptionId));

        Assert.Equal(HttpStatusCode.TooManyRequests, sameAgain.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherPrincipal.StatusCode);
        Assert.Equal("249", Header(otherPrincipal, "x-ms-ratelimit-remaining-subscription-reads"));
        Assert.Equal(HttpStatusCode.OK, otherSubscription.StatusCode);
    }

    [Fact]
    public async Task Get_ThrottlingOff_NeverRefusesAndStillCountsDown()
    {
        _emulator.Throttling = ArmThrottling.Off;
        using var http = Client();
        var statuses = new List<HttpStatusCode>();
        string? last = null;
        for (var i = 0; i < 400; i++)
        {
            using var response = await GetAsync(http, ScaleSetId("vmss-a"));
            statuses.Add(response.StatusCode);
            last = Header(response, "x-ms-ratelimit-remaining-subscription-reads");
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal("11599", last);
    }
}
