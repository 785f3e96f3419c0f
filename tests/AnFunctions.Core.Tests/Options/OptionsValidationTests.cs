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
    public void StateOptions_TableWithoutConnection_ErrorNamesTheKeys()
    {
        var errors = Validate(new StateOptions { Store = StateStoreKind.Table });

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("State:ConnectionString", StringComparison.Ordinal));
    }

    [Fact]
    public void ArmOptions_HttpEndpoint_IsRefused()
    {
        var errors = Validate(new ArmOptions { Endpoint = new Uri("http://management.azure.com/") });

        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Arm:Endpoint", StringComparison.Ordinal));
    }

    private static List<ValidationResult> Validate(object options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
