using AnFunctions.Core.Options;

namespace AnFunctions.Core.Tests.Options;

public sealed class KnownSettingsTests
{
    [Theory]
    [InlineData("AcceleratedNetworking:DryRun")]
    [InlineData("acceleratednetworking:newpoolwindow")]
    [InlineData("AcceleratedNetworking__Subscriptions")]
    [InlineData("Alerts:MinimumSeverity")]
    [InlineData("Alerts:Webhook:Url")]
    [InlineData("Alerts:PagerDuty:RoutingKey")]
    [InlineData("Audit:Schedule")]
    public void IsKnown_SettingOfTheApp_IsKnown(string key)
    {
        Assert.True(KnownSettings.IsKnown(key));
    }

    [Theory]
    [InlineData("AcceleratedNetworking:DryRunn")]
    [InlineData("Alerts:Webhook")]
    [InlineData("Alerts:Webhook:Enabled")]
    [InlineData("Arm:Endpoint")]
    [InlineData("")]
    public void IsKnown_TypoOrNotASetting_IsUnknown(string key)
    {
        Assert.False(KnownSettings.IsKnown(key));
    }

    [Fact]
    public void Keys_InOrdinalOrder()
    {
        Assert.Equal(KnownSettings.Keys.Order(StringComparer.Ordinal), KnownSettings.Keys);
        Assert.True(KnownSettings.Keys.Count > 10);
    }
}
