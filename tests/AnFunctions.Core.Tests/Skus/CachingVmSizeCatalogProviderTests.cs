using AnFunctions.Core.Options;
using AnFunctions.Core.Skus;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace AnFunctions.Core.Tests.Skus;

public sealed class CachingVmSizeCatalogProviderTests
{
    private readonly IVmSizeSource _source = Substitute.For<IVmSizeSource>();
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly CachingVmSizeCatalogProvider _provider;

    public CachingVmSizeCatalogProviderTests()
    {
        _source.ListAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(TestData.DefaultSizes);
        var options = Microsoft.Extensions.Options.Options.Create(new AcceleratedNetworkingOptions { SkuCacheTtl = TimeSpan.FromHours(24) });
        _provider = new CachingVmSizeCatalogProvider(_source, options, _time);
    }

    [Fact]
    public async Task GetAsync_ManyCallsWithinTtl_ReadsOnce()
    {
        for (var i = 0; i < 50; i++)
        {
            await _provider.GetAsync(TestData.Subscription, "westeurope", CancellationToken.None);
        }

        await _source.Received(1).ListAsync(TestData.Subscription, "westeurope", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetAsync_ConcurrentCalls_ShareOneRead()
    {
        // The read stays in flight until every caller has asked: each caller finds it pending, none finds it done.
        var read = new TaskCompletionSource<IReadOnlyList<VmSizeCapability>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _source.ListAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(read.Task);

        var callers = Enumerable.Range(0, 20).Select(_ => _provider.GetAsync(TestData.Subscription, "westeurope", CancellationToken.None)).ToList();
        Assert.All(callers, c => Assert.False(c.IsCompleted));
        read.SetResult(TestData.DefaultSizes);
        var catalogs = await Task.WhenAll(callers);

        await _source.Received(1).ListAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>());
        Assert.All(catalogs, c => Assert.Same(catalogs[0], c));
    }

    [Fact]
    public async Task GetAsync_AfterTtl_ReadsAgain()
    {
        await _provider.GetAsync(TestData.Subscription, "westeurope", CancellationToken.None);
        _time.Advance(TimeSpan.FromHours(24));
        var catalog = await _provider.GetAsync(TestData.Subscription, "westeurope", CancellationToken.None);

        await _source.Received(2).ListAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>());
        Assert.Equal(_time.GetUtcNow(), catalog.ReadAt);
    }

    [Fact]
    public async Task GetAsync_KeysBySubscriptionAndNormalizedRegion()
    {
        await _provider.GetAsync(TestData.Subscription, "westeurope", CancellationToken.None);
        await _provider.GetAsync(TestData.Subscription, "West Europe", CancellationToken.None);
        await _provider.GetAsync(TestData.OtherSubscription, "westeurope", CancellationToken.None);
        await _provider.GetAsync(TestData.Subscription, "eastus", CancellationToken.None);

        await _source.Received(3).ListAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task GetAsync_FailedRead_IsNotCached()
    {
        _source.ListAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .Returns(_ => throw new InvalidOperationException("boom"), _ => TestData.DefaultSizes);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _provider.GetAsync(TestData.Subscription, "westeurope", CancellationToken.None));
        var catalog = await _provider.GetAsync(TestData.Subscription, "westeurope", CancellationToken.None);

        Assert.Equal(TestData.DefaultSizes.Length, catalog.Count);
    }
}
