using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AnFunctions.Core.Arm;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Arm;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;
using static AnFunctions.Infrastructure.Tests.Compute.ComputeTestData;

namespace AnFunctions.Infrastructure.Tests.Arm;

/// <summary>
/// <see cref="ResourceGraphScaleSetIndex"/> through the app's ARM pipeline against the emulator's Resource Graph:
/// paging by <c>$skipToken</c>, at most 1,000 subscriptions per request, rows read as ARM's JSON, the per-user quota
/// waited out on a virtual clock. And the emulator's Resource Graph itself, as the app's tests rely on it.
/// </summary>
public sealed class ResourceGraphScaleSetIndexTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly VirtualClock _clock = new(Start);
    private readonly ArmEmulator _emulator;
    private readonly ResourceGraphScaleSetIndex _index;

    public ResourceGraphScaleSetIndexTests()
    {
        _emulator = new ArmEmulator(_clock);
        var connection = new ArmConnection(EmulatorCredential.Instance, new HttpClientTransport(new HttpClient(_emulator.CreateHandler())),
            Options.Create(new ArmOptions { Endpoint = ArmEmulator.BaseUri }), time: _clock);
        _index = new ResourceGraphScaleSetIndex(connection, _clock);
    }

    private async Task<List<ScaleSetListItem>> ListAsync(params string[] subscriptions)
    {
        var items = new List<ScaleSetListItem>();
        await foreach (var item in _index.ListAsync(subscriptions, CancellationToken.None))
        {
            items.Add(item);
        }

        return items;
    }

    private void Seed(int count, string subscription, string prefix = "pool")
    {
        for (var i = 0; i < count; i++)
        {
            _emulator.PutScaleSet(Uniform($"{prefix}-{i:D5}", subscription: subscription));
        }
    }

    [Fact]
    public async Task ListAsync_2500ScaleSetsOfTwoSubscriptions_ThreePagesOfAtMost1000EveryRowRead()
    {
        Seed(1500, Subscription);
        Seed(1000, OtherSubscription);
        Seed(3, "9f9f9f9f-0000-4000-8000-000000000000", "not-asked");

        var items = await ListAsync(Subscription, OtherSubscription);

        Assert.Equal(2500, items.Count);
        Assert.All(items, i => Assert.NotNull(i.ScaleSet));
        Assert.Equal(3, _emulator.Count(ArmCallKind.ResourceGraphQuery));
        Assert.Equal(0, _emulator.Count(ArmCallKind.ListScaleSets));
        Assert.Equal(items.Count, items.Select(i => i.ResourceId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        var first = items[0].ScaleSet!;
        Assert.Equal(("Standard_D8as_v5", 4L), (first.VmSizes.Single(), first.Capacity));
        Assert.Null(first.ETag); // rows carry none: nothing is written from them
        Assert.True(first.NetworkInterfaces.Count == 2 && first.NetworkInterfaces[0].AcceleratedNetworkingOn);
    }

    [Fact]
    public async Task ListAsync_1500Subscriptions_TwoRequestsOfAtMost1000Subscriptions()
    {
        var subscriptions = Enumerable.Range(0, 1500).Select(i => new Guid(i, 0, 0x4000, [0x80, 0, 0, 0, 0, 0, 0, 0]).ToString("D")).ToArray();
        Seed(2, subscriptions[10]);
        Seed(2, subscriptions[1200]);

        var items = await ListAsync(subscriptions);

        Assert.Equal(4, items.Count);
        Assert.Equal(2, _emulator.Count(ArmCallKind.ResourceGraphQuery));
    }

    [Fact]
    public async Task ListAsync_OneRowTheAppCannotRead_NamedWithTheReasonTheOthersRead()
    {
        Seed(2, Subscription);
        var odd = Uniform("odd", subscription: Subscription);
        odd["properties"]!["timeCreated"] = "yesterday";
        _emulator.PutScaleSet(odd);

        var items = await ListAsync(Subscription);

        Assert.Equal(2, items.Count(i => i.ScaleSet is not null));
        var unreadable = Assert.Single(items, i => i.ScaleSet is null);
        Assert.Equal(Id("odd"), unreadable.ResourceId, ignoreCase: true);
        Assert.Contains("properties.timeCreated 'yesterday' is not a date", unreadable.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_QuotaUsedUp_WaitsForTheWindowToResetOnTheClockAndReadsEverything()
    {
        _emulator.ResourceGraphQuota = new ResourceGraphQuota(2, TimeSpan.FromSeconds(5));
        Seed(2500, Subscription);

        var items = await ListAsync(Subscription);

        Assert.Equal(2500, items.Count);
        Assert.Contains(_emulator.RequestLog, r => r.Kind == ArmCallKind.ResourceGraphQuery && r.Status == 429);
        Assert.Equal(3, _emulator.RequestLog.Count(r => r.Kind == ArmCallKind.ResourceGraphQuery && r.Status == 200));
        Assert.True(_clock.GetUtcNow() - Start >= TimeSpan.FromSeconds(5), $"waited {_clock.GetUtcNow() - Start}");
    }

    [Fact]
    public async Task ListAsync_ResourceGraphRefuses_ArmRequestExceptionWithItsError()
    {
        _emulator.FailNext(ArmCallKind.ResourceGraphQuery, 403, "AuthorizationFailed");

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => ListAsync(Subscription));

        Assert.Equal((403, "AuthorizationFailed"), (error.Status, error.ErrorCode));
    }

    // ------------------------------------------------------------ the emulator's Resource Graph

    private async Task<(HttpStatusCode Status, JsonObject Body, HttpResponseMessage Response)> PostAsync(object body)
    {
        using var client = new HttpClient(_emulator.CreateHandler());
        var json = System.Text.Json.JsonSerializer.Serialize(body);
        var response = await client.PostAsync(new Uri(ArmEmulator.BaseUri, "/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"),
            new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject(), response);
    }

    [Fact]
    public async Task Emulator_MoreThan1000Subscriptions_400()
    {
        var (status, body, _) = await PostAsync(new { subscriptions = Enumerable.Range(0, 1001).Select(i => Guid.NewGuid().ToString()).ToArray(), query = ResourceGraphScaleSetIndex.Query });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("1000", body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("resources | where type =~ 'microsoft.compute/virtualmachines'", "virtualmachines")]
    [InlineData("resources | where type =~ 'microsoft.compute/virtualmachinescalesets' | project properties.uniqueId", "properties.uniqueId")]
    [InlineData("resources | where type =~ 'microsoft.compute/virtualmachinescalesets' | summarize count()", "summarize")]
    public async Task Emulator_QueryItDoesNotUnderstand_400NamingWhat(string query, string named)
    {
        var (status, body, _) = await PostAsync(new { subscriptions = new[] { Subscription }, query });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("InvalidQuery", body["error"]!["code"]!.GetValue<string>());
        Assert.Contains(named, body["error"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emulator_TheAppsQuery_RowsShapedAsResourceGraphsWithQuotaHeaders()
    {
        Seed(3, Subscription);

        var (status, body, response) = await PostAsync(new { subscriptions = new[] { Subscription }, query = ResourceGraphScaleSetIndex.Query, options = new Dictionary<string, object> { ["$top"] = 2 } });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal((3, 2), (body["totalRecords"]!.GetValue<int>(), body["count"]!.GetValue<int>()));
        Assert.NotNull(body["$skipToken"]);
        var row = body["data"]![0]!.AsObject();
        Assert.Equal(["id", "name", "type", "location", "tags", "sku", "zones", "properties"], row.Select(p => p.Key));
        Assert.Equal("microsoft.compute/virtualmachinescalesets", row["type"]!.GetValue<string>());
        Assert.Equal("14", response.Headers.GetValues("x-ms-user-quota-remaining").Single());
        Assert.Equal("00:00:05", response.Headers.GetValues("x-ms-user-quota-resets-after").Single());
    }

    [Fact]
    public async Task Emulator_Frozen_AnswersWithTheScaleSetsAsTheyWereUntilThawed()
    {
        Seed(1, Subscription);
        _emulator.FreezeResourceGraph();
        _emulator.ModifyScaleSet(Id("pool-00000"), s => s["sku"]!["name"] = "Standard_D4s_v5");
        Seed(1, Subscription, "later");

        var frozen = await ListAsync(Subscription);
        _emulator.ThawResourceGraph();
        var live = await ListAsync(Subscription);

        Assert.Equal("Standard_D8as_v5", Assert.Single(frozen).ScaleSet!.VmSizes.Single());
        Assert.Equal(2, live.Count);
        Assert.Equal("Standard_D4s_v5", live.Single(i => i.ScaleSet!.Id.Name == "pool-00000").ScaleSet!.VmSizes.Single());
    }
}
