using System.Diagnostics.Metrics;
using AnFunctions.Core.ActivityLog;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Audit;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Events;
using AnFunctions.Core.Explain;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Fleet;
using AnFunctions.Core.Options;
using AnFunctions.Core.Retention;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.Telemetry;
using AnFunctions.Core.Tests.Telemetry;
using AnFunctions.InMemory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests;

/// <summary>
/// <see cref="CoreServiceCollectionExtensions.AddAnFunctionsCore"/> with the in-memory stores and our ports
/// substituted, as a composition root builds it: every service resolves (once: singletons), a clock or catalog
/// registered before is kept, options are bound from their sections and a bad value stops the start naming its key.
/// </summary>
public sealed class CoreServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?>? settings = null, Action<IServiceCollection>? before = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build());
        services.AddLogging();
        services.AddSingleton<IMeterFactory, TestMeters>();
        services.AddSingleton(Substitute.For<IScaleSetClient>());
        services.AddSingleton(Substitute.For<IScaleSetIndex>());
        services.AddSingleton(Substitute.For<ISubscriptionSource>());
        services.AddSingleton(Substitute.For<IVmSizeSource>());
        services.AddSingleton(Substitute.For<IActivityLog>());
        services.AddSingleton(Substitute.For<IEventPayloadParser>());
        services.AddSingleton<IAlertSink>(new Alerts.FakeSink("pager"));
        before?.Invoke(services);
        services.AddAnFunctionsInMemory();
        services.AddAnFunctionsCore();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static readonly Type[] ServiceTypes =
    [
        typeof(TimeProvider), typeof(FindingEngine), typeof(NodeCheck), typeof(RefusedWriteHandler), typeof(AlertDispatcher), typeof(AlertPump),
        typeof(IVmSizeCatalogProvider), typeof(WriteFollowUp), typeof(PoolReconciler), typeof(ScaleSetEventHandler), typeof(EventDeliveryProcessor),
        typeof(AuditSweeper), typeof(FleetAudit), typeof(AuditStarter), typeof(QueuedAuditRunner), typeof(PoolExplainer), typeof(RolloutStarter),
        typeof(RolloutRunner), typeof(StoragePruner), typeof(AnMetrics), typeof(FleetReportBuilder), typeof(FleetObserver),
    ];

    public static TheoryData<Type> Services() => [.. ServiceTypes];

    [Theory]
    [MemberData(nameof(Services))]
    public void AddAnFunctionsCore_Service_ResolvesAsOneSingleton(Type service)
    {
        using var provider = Build();

        var first = provider.GetRequiredService(service);

        Assert.Same(first, provider.GetRequiredService(service));
        using var scope = provider.CreateScope();
        Assert.Same(first, scope.ServiceProvider.GetRequiredService(service));
    }

    [Fact]
    public void AddAnFunctionsCore_Defaults_ClockIsTheSystemsAndCatalogsAreCached()
    {
        using var provider = Build();

        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.IsType<CachingVmSizeCatalogProvider>(provider.GetRequiredService<IVmSizeCatalogProvider>());
    }

    [Fact]
    public void AddAnFunctionsCore_ClockAndCatalogRegisteredBefore_KeepsThem()
    {
        var clock = new FakeTimeProvider(TestData.Now);
        var catalogs = Substitute.For<IVmSizeCatalogProvider>();

        using var provider = Build(before: s => s.AddSingleton<TimeProvider>(clock).AddSingleton(catalogs));

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
        Assert.Same(catalogs, provider.GetRequiredService<IVmSizeCatalogProvider>());
    }

    [Fact]
    public void AddAnFunctionsCore_CalledTwice_EachServiceRegisteredOnce()
    {
        var services = new ServiceCollection();

        services.AddAnFunctionsCore();
        services.AddAnFunctionsCore();

        Assert.All(ServiceTypes, type => Assert.Single(services, d => d.ServiceType == type && d.Lifetime == ServiceLifetime.Singleton));
        Assert.Equal(22, ServiceTypes.Length);
    }

    [Fact]
    public void AddAnFunctionsCore_Configuration_BindsEachSection()
    {
        using var provider = Build(new()
        {
            ["AcceleratedNetworking:OptOutTag"] = "keep-off",
            ["AcceleratedNetworking:SomethingUnknown"] = "ignored",
            ["Alerts:RetryDelay"] = "00:01:00",
            ["Audit:SubscriptionConcurrency"] = "3",
            ["Retention:DeletedPoolsDays"] = "7",
        });

        Assert.Equal("keep-off", provider.GetRequiredService<IOptions<AcceleratedNetworkingOptions>>().Value.OptOutTag);
        Assert.Equal(TimeSpan.FromMinutes(1), provider.GetRequiredService<IOptions<AlertsOptions>>().Value.RetryDelay);
        Assert.Equal(3, provider.GetRequiredService<IOptions<AuditOptions>>().Value.SubscriptionConcurrency);
        Assert.Equal(7, provider.GetRequiredService<IOptions<RetentionOptions>>().Value.DeletedPoolsDays);
    }

    [Theory]
    [InlineData("AcceleratedNetworking:OptOutTag", "a/b", "AcceleratedNetworking:OptOutTag")]
    [InlineData("Alerts:DeliveryTimeout", "00:10:00", "Alerts:DeliveryTimeout must lie between 00:00:01 and 00:02:00")]
    [InlineData("Audit:SubscriptionConcurrency", "0", "Audit:SubscriptionConcurrency must lie between 1 and 32")]
    [InlineData("Retention:DeletedPoolsDays", "0", "Retention:DeletedPoolsDays must lie between 1 and 3650")]
    public void AddAnFunctionsCore_BadValue_StartFailsNamingTheKey(string key, string value, string expected)
    {
        using var provider = Build(new() { [key] = value });

        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAnFunctionsCore_Defaults_StartValidates()
    {
        using var provider = Build();

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.NotNull(provider.GetRequiredService<ILogger<CoreServiceCollectionExtensionsTests>>());
    }
}
