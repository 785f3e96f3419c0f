using AnFunctions.Hosting;
using AnFunctions.InMemory.Rollouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AnFunctions.Tests.Wiring;

/// <summary>A bad setting stops the app at start with a message naming the key (ValidateOnStart on the host's DI).</summary>
public sealed class StartupValidationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAnFunctions(builder.Configuration);
        return builder.Build();
    }

    /// <summary>Both compositions the app has: the deployed one (Table store, the host's storage) and the in-memory one.</summary>
    private static Dictionary<string, string?> Valid(string store = "InMemory") => store == "Table"
        ? new()
        {
            ["State:Store"] = "Table",
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        }
        : new()
        {
            ["State:Store"] = "InMemory",
        };

    public static TheoryData<string> Stores() => ["InMemory", "Table"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Start_ValidSettings_Starts(string store)
    {
        using var host = Build(Valid(store));

        await host.StartAsync();
        await host.StopAsync();
    }

    public static TheoryData<string, string, string> BadSettings() => new()
    {
        { "AcceleratedNetworking:NewPoolWindow", "00:00:10", "AcceleratedNetworking:NewPoolWindow" },
        { "AcceleratedNetworking:SkuCacheTtl", "30.00:00:00", "AcceleratedNetworking:SkuCacheTtl" },
        { "AcceleratedNetworking:OptOutTag", "", "AcceleratedNetworking:OptOutTag" },
        { "AcceleratedNetworking:Subscriptions", "prod-subscription", "AcceleratedNetworking:Subscriptions" },
        { "Arm:Endpoint", "http://management.azure.com/", "Arm:Endpoint" },
        { "Arm:MaxRetries", "50", "Arm:MaxRetries" },
        { "State:TablePrefix", "1-bad", "State:TablePrefix" },
        { "State:Store", "Table", "State:ConnectionString" },
        { "Alerts:Webhook:Url", "http://hooks.example.com/secret", "Alerts:Webhook:Url" },
        { "Alerts:Slack:Url", "/relative", "Alerts:Slack:Url" },
        { "Alerts:PagerDuty:RoutingKey", "too-short", "Alerts:PagerDuty:RoutingKey" },
        { "Alerts:RenotifyInterval", "00:00:10", "Alerts:RenotifyInterval" },
        { "Audit:Schedule", "every 30 minutes", "Audit:Schedule" },
        { "Audit:SubscriptionConcurrency", "0", "Audit:SubscriptionConcurrency" },
        { "Audit:InstanceGracePeriod", "00:00:01", "Audit:InstanceGracePeriod" },
        { "AcceleratedNetworking:MaxUnavailable", "half", "AcceleratedNetworking:MaxUnavailable" },
        { "AcceleratedNetworking:MaxUnavailable", "120%", "AcceleratedNetworking:MaxUnavailable" },
        { "Arm:OperationTimeout", "00:00:01", "Arm:OperationTimeout" },
        { "Retention:ProcessedEventsHours", "24", "Retention:ProcessedEventsHours" },
        { "Retention:DecisionsDays", "0", "Retention:DecisionsDays" },
        { "Retention:MaxPagesPerRun", "0", "Retention:MaxPagesPerRun" },
    };

    /// <summary>Every bad setting, refused by both compositions (what a test build accepts, Azure must refuse too, and back).</summary>
    public static TheoryData<string, string, string, string> BadSettingsPerStore()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var store in new[] { "InMemory", "Table" })
        {
            foreach (var row in BadSettings())
            {
                if (store == "Table" && (string)row[0] == "State:Store")
                {
                    continue;
                }

                data.Add(store, (string)row[0], (string)row[1], (string)row[2]);
            }
        }

        return data;
    }

    [Fact]
    public async Task Start_SecretSettingRefused_MessageNeverContainsTheSecret()
    {
        var settings = Valid();
        settings["Alerts:Teams:Url"] = "http://example.invalid/webhookb2/very-secret-token";
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Alerts:Teams:Url", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-token", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadSettingsPerStore))]
    public async Task Start_BadSetting_FailsNamingTheKey(string store, string key, string value, string named)
    {
        var settings = Valid(store);
        settings[key] = value;
        using var host = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AcceleratedNetworking:NewPoolWindow", "thirty minutes")]
    [InlineData("AcceleratedNetworking:DryRun", "maybe")]
    public async Task Start_UnparsableValue_Fails(string key, string value)
    {
        var settings = Valid();
        settings[key] = value;

        var error = await Record.ExceptionAsync(async () =>
        {
            using var host = Build(settings);
            await host.StartAsync();
        });

        Assert.NotNull(error);
        Assert.Contains(key.Split(':')[1], error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void Container_Builds_WithEveryServiceResolvable(string store)
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Valid(store)).Build();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddAnFunctions(configuration);

        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        Assert.NotNull(provider.GetRequiredService<AnFunctions.Core.Events.EventDeliveryProcessor>());
        Assert.NotNull(provider.GetRequiredService<AnFunctions.Core.Audit.FleetAudit>());
        Assert.NotNull(provider.GetRequiredService<AnFunctions.Core.Rollouts.RolloutRunner>());
        Assert.Equal(store == "Table" ? "TableRolloutStore" : "InMemoryRolloutStore", provider.GetRequiredService<AnFunctions.Core.Rollouts.IRolloutStore>().GetType().Name);
    }
}
