using AnFunctions.Api.Auth;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Hosting;
using AnFunctions.InMemory.Rollouts;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AnFunctions.Tests.Wiring;

/// <summary>
/// The one emulated composition (<see cref="EmulatedAzure.AddAnFunctionsOnEmulator"/> built with
/// <see cref="StartupValidation.BuildValidated"/>: the CLI's simulate and emulator runs, the tests, the bench) refuses
/// what the Functions host refuses at start, with the same message, and validates every options class the host does.
/// </summary>
public sealed class EmulatedCompositionTests
{
    /// <summary>
    /// Options classes the host validates at start that the emulated app does not have: the HTTP API's role check
    /// (section <c>Auth</c>) belongs to the host's HTTP functions; the emulated app answers simulate's http steps with
    /// authorization off (<see cref="Api.ApiRouter"/>). The host's own tests add the host's composition
    /// (<see cref="AppUnderTest"/>) and with it this check.
    /// </summary>
    private static readonly Type[] HostOnly = [typeof(ApiAuthOptions)];

    private static ServiceProvider BuildEmulated(IEnumerable<KeyValuePair<string, string?>>? settings = null) =>
        new ServiceCollection().AddAnFunctionsOnEmulator(new ArmEmulator(), TimeProvider.System, settings).BuildValidated();

    private static async Task<Exception?> StartHostAsync(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddAnFunctions(builder.Configuration);
        using var host = builder.Build();
        return await Record.ExceptionAsync(() => host.StartAsync());
    }

    /// <summary>The host's start-up validation's bad settings (<see cref="StartupValidationTests.BadSettings"/>), on the in-memory store the emulated app runs.</summary>
    public static TheoryData<string, string, string> BadSettings() => StartupValidationTests.BadSettings();

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BuildValidated_BadSetting_RefusedAsTheHostRefusesIt(string key, string value, string named)
    {
        var hostError = await StartHostAsync(new() { ["State:Store"] = "InMemory", [key] = value });

        var error = Record.Exception(() => BuildEmulated([new(key, value)]));

        var refused = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.Equal(Assert.IsType<OptionsValidationException>(hostError).Failures, refused.Failures);
    }

    [Fact]
    public void BuildValidated_WrongAuditSetting_RefusedNamingTheKey()
    {
        var error = Record.Exception(() => BuildEmulated([new("Audit:SubscriptionConcurrency", "0")]));

        Assert.Contains("Audit:SubscriptionConcurrency", Assert.IsType<OptionsValidationException>(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildValidated_SeveralOptionsClassesWrong_RefusesWithEveryKey()
    {
        var error = Record.Exception(() => BuildEmulated([new("Audit:SubscriptionConcurrency", "0"), new("Retention:DecisionsDays", "0")]));

        var all = Assert.IsType<AggregateException>(error);
        Assert.All(all.InnerExceptions, e => Assert.IsType<OptionsValidationException>(e));
        var message = string.Join(" ", all.InnerExceptions.Select(e => e.Message));
        Assert.Contains("Audit:SubscriptionConcurrency", message, StringComparison.Ordinal);
        Assert.Contains("Retention:DecisionsDays", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildValidated_BaseSettings_BuildTheAppOnTheEmulator()
    {
        await using var services = BuildEmulated();

        Assert.Same(EmulatorCredential.Instance, services.GetRequiredService<Azure.Core.TokenCredential>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.Equal(ArmEmulator.BaseUri, services.GetRequiredService<IOptions<Core.Options.ArmOptions>>().Value.Endpoint);
        Assert.Equal("InMemoryRolloutStore", services.GetRequiredService<Core.Rollouts.IRolloutStore>().GetType().Name);
    }

    [Fact]
    public void AddAnFunctionsOnEmulator_ValidatesAtStart_EveryOptionsClassTheHostValidates()
    {
        var builder = FunctionsApplication.CreateBuilder([]);
        builder.ConfigureAnFunctions();
        var host = ValidatedOnStart(builder.Services);
        var emulated = ValidatedOnStart(new ServiceCollection().AddAnFunctionsOnEmulator(new ArmEmulator(), TimeProvider.System));

        // Not vacuous: the host's list is read, and holds the classes of Core, Infrastructure and the API.
        Assert.Superset(new HashSet<Type> { typeof(Core.Audit.AuditOptions), typeof(Core.Retention.RetentionOptions), typeof(Infrastructure.Tables.StateOptions), typeof(ApiAuthOptions) }, host);
        Assert.Empty(host.Except(HostOnly).Except(emulated).Select(t => t.FullName));
        // An exemption that no longer holds is removed, not kept.
        Assert.Empty(HostOnly.Intersect(emulated).Select(t => t.FullName));
    }

    /// <summary>
    /// The app's options classes <c>ValidateOnStart</c> registered in <paramref name="services"/>, read from the
    /// registrations the host's <see cref="IStartupValidator"/> runs: each is an
    /// <c>IConfigureOptions&lt;StartupValidatorOptions&gt;</c> over <c>IOptionsMonitor&lt;TOptions&gt;</c>.
    /// </summary>
    private static HashSet<Type> ValidatedOnStart(IServiceCollection services)
    {
        using var provider = services.BuildServiceProvider();
        var validatorOptions = typeof(IStartupValidator).Assembly.GetType("Microsoft.Extensions.Options.StartupValidatorOptions", throwOnError: true)!;
        var configures = provider.GetServices(typeof(IConfigureOptions<>).MakeGenericType(validatorOptions)).ToList();
        var types = new HashSet<Type>();
        foreach (var configure in configures)
        {
            var monitor = configure!.GetType().GetGenericArguments().Last();
            Assert.True(monitor.IsGenericType && monitor.GetGenericTypeDefinition() == typeof(IOptionsMonitor<>), $"ValidateOnStart's registration changed shape ({configure.GetType()}): update this reading");
            var options = monitor.GetGenericArguments()[0];
            if (options.Assembly.GetName().Name!.StartsWith("AnFunctions", StringComparison.Ordinal))
            {
                types.Add(options);
            }
        }

        return types;
    }
}
