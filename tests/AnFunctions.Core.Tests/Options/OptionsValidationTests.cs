using System.ComponentModel.DataAnnotations;
using AnFunctions.Core.Options;

namespace AnFunctions.Core.Tests.Options;

public sealed class OptionsValidationTests
{
    [Fact]
    public void AcceleratedNetworkingOptions_Defaults_AreValid()
    {
        Assert.Empty(Validate(new AcceleratedNetworkingOptions()));
    }

    public static TheoryData<Action<AcceleratedNetworkingOptions>, string> Invalid() => new()
    {
        { o => o.NewPoolWindow = TimeSpan.Zero, "AcceleratedNetworking:NewPoolWindow" },
        { o => o.NewPoolWindow = TimeSpan.FromDays(2), "AcceleratedNetworking:NewPoolWindow" },
        { o => o.SkuCacheTtl = TimeSpan.FromSeconds(5), "AcceleratedNetworking:SkuCacheTtl" },
        { o => o.OptOutTag = "", "AcceleratedNetworking:OptOutTag" },
        { o => o.OptOutTag = "a/b", "AcceleratedNetworking:OptOutTag" },
        { o => o.Subscriptions = "3f2c9a4e-6b1d-4e0a-9c55-7d2e8a1b4c60,prod", "AcceleratedNetworking:Subscriptions" },
        { o => o.MaxUnavailable = "-1", "AcceleratedNetworking:MaxUnavailable" },
        { o => o.MaxUnavailable = "150%", "AcceleratedNetworking:MaxUnavailable" },
        { o => o.MaxUnavailable = "half", "AcceleratedNetworking:MaxUnavailable" },
    };

    [Theory]
    [InlineData("2", 2, false)]
    [InlineData("25%", 25, true)]
    public void AcceleratedNetworkingOptions_MaxUnavailable_ReachesTheSafetyPolicy(string value, int expected, bool percent)
    {
        var options = new AcceleratedNetworkingOptions { MaxUnavailable = value, AllowAutomaticUpgrade = true };

        Assert.Empty(Validate(options));
        Assert.Equal(new Core.Decisions.MaxUnavailable(expected, percent), options.NodeSafety.MaxUnavailable);
        Assert.True(options.NodeSafety.AllowAutomaticUpgrade);
    }

    [Fact]
    public void AcceleratedNetworkingOptions_SafetyDefaults_OneNodeNoAutomaticNoRollout()
    {
        var options = new AcceleratedNetworkingOptions();

        Assert.Equal(Core.Decisions.MaxUnavailable.Default, options.NodeSafety.MaxUnavailable);
        Assert.Equal(new Core.Decisions.MaxUnavailable(1, false), Core.Decisions.MaxUnavailable.Default);
        Assert.False(options.AllowAutomaticUpgrade);
        Assert.False(options.RolloutNewPools);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void AcceleratedNetworkingOptions_BadValue_ErrorNamesTheKey(Action<AcceleratedNetworkingOptions> configure, string key)
    {
        var options = new AcceleratedNetworkingOptions();
        configure(options);

        var errors = Validate(options);

        Assert.Contains(errors, e => e.ErrorMessage!.Contains(key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, TestData.Subscription, true)]
    [InlineData("", TestData.Subscription, true)]
    [InlineData(TestData.Subscription, TestData.Subscription, true)]
    [InlineData(" 3F2C9A4E-6B1D-4E0A-9C55-7D2E8A1B4C60 ; " + TestData.OtherSubscription, TestData.Subscription, true)]
    [InlineData(TestData.OtherSubscription, TestData.Subscription, false)]
    public void IsInScope_SubscriptionList_EmptyMeansAll(string? list, string subscription, bool expected)
    {
        Assert.Equal(expected, new AcceleratedNetworkingOptions { Subscriptions = list }.IsInScope(subscription));
    }

    [Fact]
    public void AcceleratedNetworkingOptions_SubscriptionsNotGuids_ErrorQuotesEachCutAt64Characters()
    {
        var long70 = new string('x', 70);
        var exactly64 = new string('y', 64);
        var options = new AcceleratedNetworkingOptions { Subscriptions = $"{TestData.Subscription}, prod ;{long70},{exactly64}" };

        var error = Assert.Single(Validate(options)).ErrorMessage;

        Assert.Equal($"AcceleratedNetworking:Subscriptions must list subscription ids (GUIDs) separated by commas; not a GUID: 'prod', '{long70[..64]}', '{exactly64}'", error);
    }

    [Theory]
    [InlineData(TestData.Subscription + ",," + TestData.OtherSubscription)]
    [InlineData(TestData.Subscription + ", ;" + TestData.OtherSubscription + ";")]
    public void AcceleratedNetworkingOptions_SubscriptionsWithEmptyEntries_ValidAndBothInScope(string list)
    {
        var options = new AcceleratedNetworkingOptions { Subscriptions = list };

        Assert.Empty(Validate(options));
        Assert.Equal(2, options.SubscriptionScope.Count);
        Assert.True(options.IsInScope(TestData.OtherSubscription));
    }

    [Fact]
    public void ArmOptions_HttpEndpoint_IsRefused()
    {
        var errors = Validate(new ArmOptions { Endpoint = new Uri("http://management.azure.com/") });

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Arm:Endpoint", StringComparison.Ordinal));
    }

    [Fact]
    public void ArmOptions_Defaults_FitAnEventGridDelivery()
    {
        var defaults = new ArmOptions();

        Assert.Empty(Validate(defaults));
        Assert.Equal((TimeSpan.FromSeconds(6), 2, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)),
            (defaults.Timeout, defaults.MaxRetries, defaults.MaxRetryDelay, defaults.OperationWait));
        // 3 tries of 6 s + 2 waits of 3 s: within the 25 s a delivery may spend of Event Grid's 30 s.
        Assert.Equal(TimeSpan.FromSeconds(24), defaults.WorstCaseCall);
        Assert.True(defaults.WorstCaseCall <= Core.Arm.ArmBudget.DeliveryLimit);
        Assert.True(Core.Arm.ArmBudget.DeliveryLimit < Core.Arm.ArmBudget.EventGridAnswerWindow);
    }

    public static TheoryData<Action<ArmOptions>, string[]> DoNotFitADelivery() => new()
    {
        // The defaults before: 30 s per try, 3 retries: one call could take two minutes.
        { o => { o.Timeout = TimeSpan.FromSeconds(30); o.MaxRetries = 3; }, ["Arm:Timeout", "Arm:MaxRetries", "Arm:MaxRetryDelay", "= 129 s", "25 s"] },
        { o => { o.Timeout = TimeSpan.FromSeconds(6); o.MaxRetries = 2; o.MaxRetryDelay = TimeSpan.FromSeconds(4); }, ["Arm:MaxRetryDelay", "26 s"] },
        { o => { o.Timeout = TimeSpan.FromSeconds(20); o.MaxRetries = 0; o.OperationWait = TimeSpan.FromSeconds(6); }, ["Arm:Timeout + Arm:OperationWait", "26 s"] },
    };

    [Theory]
    [MemberData(nameof(DoNotFitADelivery))]
    public void ArmOptions_CombinationThatCannotFitADelivery_IsRefusedNamingTheKeysAndTheFigures(Action<ArmOptions> configure, string[] expected)
    {
        var options = new ArmOptions();
        configure(options);

        var errors = Validate(options);

        Assert.Contains(errors, e => expected.All(x => e.ErrorMessage!.Contains(x, StringComparison.Ordinal)) && e.ErrorMessage!.Contains("Event Grid", StringComparison.Ordinal));
    }

    [Fact]
    public void ArmOptions_CallThatCannotFit_ErrorShowsTheSum()
    {
        var options = new ArmOptions { Timeout = TimeSpan.FromSeconds(7.5), MaxRetries = 2, MaxRetryDelay = TimeSpan.FromSeconds(3) };

        var error = Assert.Single(Validate(options)).ErrorMessage;

        Assert.StartsWith("Arm:Timeout × (Arm:MaxRetries + 1) + Arm:MaxRetryDelay × Arm:MaxRetries = 7.5 s × 3 + 3 s × 2 = 28.5 s: one ARM call could take longer than the 25 s an Event Grid delivery may spend (Event Grid waits 30 s for an answer)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ArmOptions_ExactlyTheDeliveryLimit_IsAccepted()
    {
        // 5 s x 3 tries + 5 s x 2 waits = 25 s; 5 s + 20 s = 25 s.
        var options = new ArmOptions { Timeout = TimeSpan.FromSeconds(5), MaxRetries = 2, MaxRetryDelay = TimeSpan.FromSeconds(5), OperationWait = TimeSpan.FromSeconds(20) };

        Assert.Empty(Validate(options));
    }

    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
