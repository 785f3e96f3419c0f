using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Tests.Alerts;

public sealed class AlertNotificationTests
{
    private static AlertNotification Notification(FindingSeverity severity) => new()
    {
        NotificationId = "n-1",
        Action = AlertAction.Trigger,
        CreatedAt = TestData.Now,
        Finding = TestData.OpenFinding(new FindingDraft(FindingKind.AcceleratedNetworkingLost, severity, "AN is off on nic0", "c", "r", new FindingEvidence()), TestData.Id("pool-7")),
        PortalUrl = new Uri("https://portal.azure.com/"),
    };

    [Theory]
    [InlineData(FindingSeverity.Critical, "[CRITICAL] pool-7: AN is off on nic0")]
    [InlineData(FindingSeverity.Info, "[INFO] pool-7: AN is off on nic0")]
    public void Summary_SeverityPoolAndMessage(FindingSeverity severity, string expected)
    {
        Assert.Equal(expected, Notification(severity).Summary);
    }

    [Fact]
    public void DedupKey_IsTheFindingId()
    {
        var notification = Notification(FindingSeverity.Warning);

        Assert.Equal(notification.Finding.Id, notification.DedupKey);
    }

    [Fact]
    public void AlertDeliveryException_NamedSink_PrefixesTheMessageAndKeepsWhatWasSaid()
    {
        var inner = new HttpRequestException("x");
        var e = new AlertDeliveryException("slack", 429, "throttled", isTransient: true, TimeSpan.FromSeconds(7), inner);

        Assert.Equal(("slack: throttled", "slack", (int?)429, true, (TimeSpan?)TimeSpan.FromSeconds(7)), (e.Message, e.Sink, e.Status, e.IsTransient, e.RetryAfter));
        Assert.Same(inner, e.InnerException);
    }

    [Fact]
    public void AlertDeliveryException_StandardConstructors_AreTransientFailuresOfAnUnnamedSink()
    {
        var inner = new TimeoutException();
        var all = new[] { new AlertDeliveryException(), new AlertDeliveryException("gone"), new AlertDeliveryException("gone", inner) };

        Assert.All(all, e => Assert.Equal(("sink", (int?)null, true, (TimeSpan?)null), (e.Sink, e.Status, e.IsTransient, e.RetryAfter)));
        Assert.Equal(["sink: delivery failed", "sink: gone", "sink: gone"], all.Select(e => e.Message));
        Assert.Same(inner, all[2].InnerException);
    }
}
