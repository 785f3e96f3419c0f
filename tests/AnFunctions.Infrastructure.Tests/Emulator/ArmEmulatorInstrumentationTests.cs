using System.Diagnostics;
using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using Azure;
using Azure.Core;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Resources;
using Xunit.Abstractions;
using static AnFunctions.Infrastructure.Tests.Emulator.EmulatorTestData;

namespace AnFunctions.Infrastructure.Tests.Emulator;

public sealed class ArmEmulatorInstrumentationTests
{
    private readonly ArmEmulator _emulator = new();
    private readonly ITestOutputHelper _output;

    public ArmEmulatorInstrumentationTests(ITestOutputHelper output)
    {
        _output = output;
        _emulator.PutScaleSet(UniformScaleSet("vmss-a"));
    }

    private static VirtualMachineScaleSetResource ScaleSet(ArmClient client, string name = "vmss-a") =>
        client.GetVirtualMachineScaleSetResource(new ResourceIdentifier(ScaleSetId(name)));

    [Fact]
    public async Task GetAsync_FailNext429WithRetryAfter_ThrowsWithRetryAfterAndNextCallSucceeds()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 429, "TooManyRequests", retryAfter: TimeSpan.FromSeconds(7));
        var client = EmulatorArm.CreateClient(_emulator);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client).GetAsync());
        var response = await ScaleSet(client).GetAsync();

        Assert.Equal(429, error.Status);
        Assert.Equal("TooManyRequests", error.ErrorCode);
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("7", retryAfter);
        Assert.Equal(200, response.GetRawResponse().Status);
        Assert.Equal(2, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Empty(_emulator.Faults);
    }

    [Fact]
    public async Task GetAsync_FailNext429AndSdkRetries_SucceedsAndCountShowsTwo()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 429, "TooManyRequests", retryAfter: TimeSpan.Zero);
        var client = EmulatorArm.CreateClient(_emulator, maxRetries: 3);

        var response = await ScaleSet(client).GetAsync();

        Assert.Equal(200, response.GetRawResponse().Status);
        Assert.Equal(2, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal([429, 200], _emulator.RequestLog.Select(r => r.Status));
    }

    [Fact]
    public async Task UpdateAsync_FailNext503_ThrowsRecordsWriteAndLeavesStateUnchanged()
    {
        var before = _emulator.GetScaleSet(ScaleSetId("vmss-a"));
        _emulator.FailNext(ArmCallKind.PatchScaleSet, 503, "ServiceUnavailable");
        var client = EmulatorArm.CreateClient(_emulator);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
            ScaleSet(client).UpdateAsync(WaitUntil.Completed, ArmEmulatorScaleSetTests.AcceleratedNetworkingPatch()));

        Assert.Equal(503, error.Status);
        Assert.True(JsonNode.DeepEquals(before, _emulator.GetScaleSet(ScaleSetId("vmss-a"))));
        var write = Assert.Single(_emulator.Writes);
        Assert.Equal(503, write.Status);
        Assert.Equal(1, _emulator.Count(ArmCallKind.PatchScaleSet));
    }

    [Fact]
    public async Task FaultRule_ForOneResourceAndMethod_LeavesOthersAlone()
    {
        _emulator.PutScaleSet(UniformScaleSet("vmss-b"));
        _emulator.AddFault(new FaultRule { ResourceId = ScaleSetId("VMSS-B"), Method = "GET", Status = 500 });
        var client = EmulatorArm.CreateClient(_emulator);

        await ScaleSet(client, "vmss-a").GetAsync();
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client, "vmss-b").GetAsync());
        var againError = await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client, "vmss-b").GetAsync());

        Assert.Equal(500, error.Status);
        Assert.Equal("InternalServerError", againError.ErrorCode);
        Assert.Single(_emulator.Faults); // no Times: stays until removed
    }

    [Fact]
    public async Task GetAsync_DelayBeyondNetworkTimeout_FailsWithoutWaitingForTheDelay()
    {
        _emulator.DelayNext(ArmCallKind.GetScaleSet, TimeSpan.FromSeconds(30));
        var client = EmulatorArm.CreateClient(_emulator, configure: o => o.Retry.NetworkTimeout = TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<Exception>(() => ScaleSet(client).GetAsync());

        // Status 0: the emulator's 30 s delay was cancelled by the client's timeout; had the call waited for it, the
        // emulator would have answered (and recorded) 200.
        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(0, Assert.Single(_emulator.RequestLog).Status);
    }

    [Fact]
    public async Task GetAsync_DropConnection_ThrowsRequestFailedWithStatusZero()
    {
        _emulator.AddFault(new FaultRule { Kind = ArmCallKind.GetScaleSet, DropConnection = true, Times = 1 });
        var client = EmulatorArm.CreateClient(_emulator);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client).GetAsync());

        Assert.Equal(0, error.Status);
    }

    [Fact]
    public async Task GetAsync_Latency_DelaysEveryCall()
    {
        _emulator.Latency = TimeSpan.FromMilliseconds(150);
        var client = EmulatorArm.CreateClient(_emulator);
        var stopwatch = Stopwatch.StartNew();

        await ScaleSet(client).GetAsync();
        await ScaleSet(client).GetAsync();

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task Counts_MixedCalls_CountedByKindAndReset()
    {
        var client = EmulatorArm.CreateClient(_emulator);
        var subscription = client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(SubscriptionId));

        await ScaleSet(client).GetAsync();
        await ScaleSet(client).GetAsync();
        await foreach (var _ in subscription.GetVirtualMachineScaleSetsAsync())
        {
        }

        await foreach (var _ in subscription.GetComputeResourceSkusAsync())
        {
        }

        await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client, "missing").GetAsync());

        Assert.Equal(3, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(1, _emulator.Count(ArmCallKind.ListScaleSets));
        Assert.Equal(1, _emulator.Count(ArmCallKind.ListSkus));
        Assert.Equal(5, _emulator.TotalCalls);
        Assert.Equal(0, _emulator.Counts[ArmCallKind.PatchScaleSet]);
        Assert.Equal(5, _emulator.RequestLog.Count);

        _emulator.ResetCounts();
        Assert.Equal(0, _emulator.TotalCalls);
    }

    [Fact]
    public async Task Writes_PatchThroughSdk_RecordsMethodPathBodyAndIfMatch()
    {
        var ifMatch = new IfMatchPolicy { ETag = _emulator.GetETag(ScaleSetId("vmss-a")) };
        var client = EmulatorArm.CreateClient(_emulator, configure: o => o.AddPolicy(ifMatch, HttpPipelinePosition.PerCall));

        await ScaleSet(client).UpdateAsync(WaitUntil.Completed, ArmEmulatorScaleSetTests.AcceleratedNetworkingPatch());

        var write = Assert.Single(_emulator.Writes);
        Assert.Equal("PATCH", write.Method);
        Assert.Equal(ScaleSetId("vmss-a"), write.ResourceId);
        Assert.Equal(200, write.Status);
        Assert.Equal(ifMatch.ETag, write.IfMatch);
        var nics = write.Body!["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        Assert.Equal(["nic-primary", "nic-secondary"], nics.Select(n => n!["name"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(write.Body, JsonNode.Parse(write.RawBody!)));
    }

    [Fact]
    public void Get_SynchronousSdkCall_IsServedAndCounted()
    {
        var client = EmulatorArm.CreateClient(_emulator);

        var response = ScaleSet(client).Get();

        Assert.Equal("vmss-a", response.Value.Data.Name);
        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task Responses_ReadsAndWrites_CarryThrottlingAndCorrelationHeaders()
    {
        using var http = EmulatorArm.CreateHttpClient(_emulator);
        var uri = new Uri(ScaleSetId("vmss-a") + "?api-version=2024-11-01", UriKind.Relative);
        using var patch = new HttpRequestMessage(HttpMethod.Patch, uri) { Content = new StringContent("""{"tags":{"a":"b"}}""") };
        patch.Headers.Add("x-ms-correlation-request-id", "corr-1");

        using var read = await http.GetAsync(uri);
        using var write = await http.SendAsync(patch);

        Assert.True(read.Headers.Contains("x-ms-ratelimit-remaining-subscription-reads"));
        Assert.True(write.Headers.Contains("x-ms-ratelimit-remaining-subscription-writes"));
        Assert.Equal("corr-1", Assert.Single(write.Headers.GetValues("x-ms-correlation-request-id")));
        Assert.Equal("corr-1", Assert.Single(_emulator.Writes).CorrelationId);
        Assert.Equal(ArmCallKind.PatchScaleSet, _emulator.Writes[0].Kind);
        Assert.Equal(read.Headers.ETag!.Tag, JsonNode.Parse(await read.Content.ReadAsStringAsync())!["etag"]!.GetValue<string>());
    }

    [Fact]
    public async Task Logger_EachRequest_LogsOneDebugLine()
    {
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        var emulator = new ArmEmulator(logger: logger);
        var client = EmulatorArm.CreateClient(emulator);

        await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client).GetAsync());

        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, record.Level);
        Assert.Contains("-> 404", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestLog_BeyondLimit_KeepsMostRecent()
    {
        _emulator.RequestLogLimit = 2;
        var client = EmulatorArm.CreateClient(_emulator);

        await ScaleSet(client).GetAsync();
        await ScaleSet(client).GetAsync();
        await Assert.ThrowsAsync<RequestFailedException>(() => ScaleSet(client, "missing").GetAsync());

        Assert.Equal([200, 404], _emulator.RequestLog.Select(r => r.Status));
        Assert.Equal(3, _emulator.TotalCalls);
    }

    [Fact]
    public async Task GetAsync_OneThousandSequentialCalls_AllAnsweredAndCounted()
    {
        // How fast is measured by the bench (bench/AnFunctions.Benchmarks), not asserted here: a loaded machine is slow.
        // 1,000 reads at once exceed ARM's read bucket: this counts the emulator's answers, not ARM's limits.
        _emulator.Throttling = ArmThrottling.Off;
        var client = EmulatorArm.CreateClient(_emulator);
        var scaleSet = ScaleSet(client);
        await scaleSet.GetAsync();
        var stopwatch = Stopwatch.StartNew();

        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(200, (await scaleSet.GetAsync()).GetRawResponse().Status);
        }

        _output.WriteLine($"1,000 sequential SDK GETs: {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(1001, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(1001, _emulator.RequestLog.Count(r => r.Status == 200));
    }

    [Fact]
    public async Task GetVirtualMachineScaleSetsAsync_TenThousandScaleSets_ListsInTenPages()
    {
        var emulator = new ArmEmulator();
        var template = UniformScaleSet("template");
        var seeding = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            var vmss = template.DeepClone().AsObject();
            var name = $"vmss-{i:D5}";
            vmss["name"] = name;
            vmss["id"] = ScaleSetId(name, $"rg-{i % 20}");
            emulator.PutScaleSet(vmss);
        }

        _output.WriteLine($"seeding 10,000: {seeding.ElapsedMilliseconds} ms");
        var client = EmulatorArm.CreateClient(emulator);
        var subscription = client.GetSubscriptionResource(SubscriptionResource.CreateResourceIdentifier(SubscriptionId));
        var stopwatch = Stopwatch.StartNew();

        var names = new HashSet<string>();
        await foreach (var scaleSet in subscription.GetVirtualMachineScaleSetsAsync())
        {
            names.Add(scaleSet.Data.Name);
        }

        _output.WriteLine($"listing 10,000 through the SDK: {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal(10_000, names.Count);
        Assert.Equal(10, emulator.Count(ArmCallKind.ListScaleSets));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
    }
}
