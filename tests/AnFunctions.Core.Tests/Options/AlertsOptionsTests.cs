using System.ComponentModel.DataAnnotations;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;

namespace AnFunctions.Core.Tests.Options;

/// <summary>
/// <see cref="AlertsOptions"/>: its defaults, each range at its bounds and a step past them, and each rule of its own
/// (sink URLs, PagerDuty's URL and key, retry delays), with the message naming the key and never the secret.
/// </summary>
public sealed class AlertsOptionsTests
{
    /// <summary>What the options binder's <c>ValidateDataAnnotations</c> reports: attributes first, then the rules.</summary>
    private static List<string> Errors(AlertsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage!).ToList();
    }

    private static List<ValidationResult> Rules(AlertsOptions options) => options.Validate(new ValidationContext(options)).ToList();

    [Fact]
    public void Defaults_Always_ValidAndEverySinkOff()
    {
        var options = new AlertsOptions();

        Assert.Empty(Errors(options));
        Assert.Equal("Alerts", AlertsOptions.Section);
        Assert.Equal(FindingSeverity.Warning, options.MinimumSeverity);
        Assert.Equal(TimeSpan.FromHours(4), options.RenotifyInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.DeliveryTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.RetryDelay);
        Assert.Equal(TimeSpan.FromMinutes(15), options.MaxRetryDelay);
        Assert.Equal(new Uri("https://events.pagerduty.com/v2/enqueue"), options.PagerDuty.EventsUrl);
        Assert.False(options.Webhook.Enabled || options.Teams.Enabled || options.Slack.Enabled || options.PagerDuty.Enabled);
        Assert.Null(options.Webhook.MinimumSeverity);
        Assert.Null(options.PagerDuty.MinimumSeverity);
    }

    public static TheoryData<string, string, bool> Ranges() => new()
    {
        { nameof(AlertsOptions.RenotifyInterval), "00:05:00", true },
        { nameof(AlertsOptions.RenotifyInterval), "00:04:59", false },
        { nameof(AlertsOptions.RenotifyInterval), "7.00:00:00", true },
        { nameof(AlertsOptions.RenotifyInterval), "7.00:00:01", false },
        { nameof(AlertsOptions.DeliveryTimeout), "00:00:01", true },
        { nameof(AlertsOptions.DeliveryTimeout), "00:00:00.999", false },
        { nameof(AlertsOptions.DeliveryTimeout), "00:02:00", true },
        { nameof(AlertsOptions.DeliveryTimeout), "00:02:01", false },
        { nameof(AlertsOptions.RetryDelay), "00:00:01", true },
        { nameof(AlertsOptions.RetryDelay), "00:00:00.999", false },
        { nameof(AlertsOptions.RetryDelay), "01:00:00", true },
        { nameof(AlertsOptions.RetryDelay), "01:00:01", false },
        { nameof(AlertsOptions.MaxRetryDelay), "00:00:01", true },
        { nameof(AlertsOptions.MaxRetryDelay), "00:00:00.999", false },
        { nameof(AlertsOptions.MaxRetryDelay), "1.00:00:00", true },
        { nameof(AlertsOptions.MaxRetryDelay), "1.00:00:01", false },
    };

    private static readonly Dictionary<string, string> RangeMessages = new()
    {
        [nameof(AlertsOptions.RenotifyInterval)] = "Alerts:RenotifyInterval must lie between 00:05:00 and 7.00:00:00",
        [nameof(AlertsOptions.DeliveryTimeout)] = "Alerts:DeliveryTimeout must lie between 00:00:01 and 00:02:00",
        [nameof(AlertsOptions.RetryDelay)] = "Alerts:RetryDelay must lie between 00:00:01 and 01:00:00",
        [nameof(AlertsOptions.MaxRetryDelay)] = "Alerts:MaxRetryDelay must lie between 00:00:01 and 1.00:00:00",
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void Range_AtAndPastItsBounds_ErrorNamesTheKeyAndRange(string property, string value, bool valid)
    {
        // The delays are set together so that their own rule (RetryDelay <= MaxRetryDelay) holds at every bound.
        var span = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var options = property switch
        {
            nameof(AlertsOptions.RenotifyInterval) => new AlertsOptions { RenotifyInterval = span },
            nameof(AlertsOptions.DeliveryTimeout) => new AlertsOptions { DeliveryTimeout = span },
            nameof(AlertsOptions.RetryDelay) => new AlertsOptions { RetryDelay = span, MaxRetryDelay = TimeSpan.FromHours(2) },
            _ => new AlertsOptions { MaxRetryDelay = span, RetryDelay = TimeSpan.FromSeconds(1) },
        };

        var errors = Errors(options);

        Assert.Equal(valid ? [] : [RangeMessages[property]], errors);
    }

    [Theory]
    [InlineData("Webhook")]
    [InlineData("Teams")]
    [InlineData("Slack")]
    public void Validate_SinkUrlNotHttps_ErrorNamesTheKeyNotTheSecret(string sink)
    {
        var options = new AlertsOptions();
        Sink(options, sink).Url = new Uri("http://hooks.example.com/secret-token");

        var error = Assert.Single(Rules(options));

        Assert.Equal($"Alerts:{sink}:Url must be an absolute https URL", error.ErrorMessage);
        Assert.Equal([sink], error.MemberNames);
        Assert.DoesNotContain("secret-token", error.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://hooks.example.com/x", true)]
    [InlineData("http://localhost:7071/hook", true)]
    [InlineData("http://127.0.0.1:8080/hook", true)]
    [InlineData("http://[::1]/hook", true)]
    [InlineData("http://hooks.example.com/x", false)]
    [InlineData("ftp://hooks.example.com/x", false)]
    [InlineData("ftp://localhost/x", false)]
    [InlineData("/relative/hook", false)]
    public void Validate_SinkUrl_HttpsOrLoopbackOnly(string url, bool valid)
    {
        foreach (var sink in new[] { "Webhook", "Teams", "Slack" })
        {
            var options = new AlertsOptions();
            Sink(options, sink).Url = new Uri(url, UriKind.RelativeOrAbsolute);

            Assert.Equal(valid ? 0 : 1, Rules(options).Count);
        }
    }

    [Theory]
    [InlineData("https://events.eu.pagerduty.com/v2/enqueue", true)]
    [InlineData("http://localhost:9999/v2/enqueue", true)]
    [InlineData("http://events.pagerduty.com/v2/enqueue", false)]
    [InlineData("ftp://localhost/v2/enqueue", false)]
    [InlineData("/v2/enqueue", false)]
    [InlineData(null, true)]
    public void Validate_PagerDutyEventsUrl_HttpsOrLoopbackOnly(string? url, bool valid)
    {
        var options = new AlertsOptions();
        options.PagerDuty.EventsUrl = url is null ? null : new Uri(url, UriKind.RelativeOrAbsolute);

        var errors = Rules(options);

        Assert.Equal(valid ? [] : ["Alerts:PagerDuty:EventsUrl must be an absolute https URL"], errors.Select(e => e.ErrorMessage));
        Assert.All(errors, e => Assert.Equal(["PagerDuty"], e.MemberNames));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("0123456789abcdefABCDEF0123456789", true)]
    [InlineData("0123456789abcdefABCDEF012345678", false)]
    [InlineData("0123456789abcdefABCDEF01234567890", false)]
    [InlineData("0123456789abcdef-BCDEF0123456789", false)]
    [InlineData("0123456789abcdefébcdef0123456789", false)]
    [InlineData("0123456789abcdef٣bcdef0123456789", false)]
    public void Validate_PagerDutyRoutingKey_ThirtyTwoAsciiLettersOrDigits(string? key, bool valid)
    {
        var options = new AlertsOptions();
        options.PagerDuty.RoutingKey = key;

        var errors = Rules(options);

        Assert.Equal(valid ? [] : ["Alerts:PagerDuty:RoutingKey must be a 32-character integration key"], errors.Select(e => e.ErrorMessage));
        Assert.All(errors, e => Assert.Equal(["PagerDuty"], e.MemberNames));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(-1, true)]
    [InlineData(1, false)]
    public void Validate_RetryDelayAgainstItsMaximum_NoMoreThanIt(int ticksOver, bool valid)
    {
        var options = new AlertsOptions { MaxRetryDelay = TimeSpan.FromMinutes(1), RetryDelay = TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(ticksOver) };

        var errors = Rules(options);

        Assert.Equal(valid ? [] : ["Alerts:RetryDelay must not exceed Alerts:MaxRetryDelay"], errors.Select(e => e.ErrorMessage));
        Assert.All(errors, e => Assert.Equal(["RetryDelay"], e.MemberNames));
    }

    [Fact]
    public void Validate_EverythingWrong_OneErrorPerRuleInOrder()
    {
        var options = new AlertsOptions { RetryDelay = TimeSpan.FromMinutes(20) };
        options.Webhook.Url = new Uri("http://a.example/x");
        options.Teams.Url = new Uri("http://b.example/x");
        options.Slack.Url = new Uri("http://c.example/x");
        options.PagerDuty.EventsUrl = new Uri("http://d.example/x");
        options.PagerDuty.RoutingKey = "short";

        Assert.Equal(
        [
            "Alerts:Webhook:Url must be an absolute https URL",
            "Alerts:Teams:Url must be an absolute https URL",
            "Alerts:Slack:Url must be an absolute https URL",
            "Alerts:PagerDuty:EventsUrl must be an absolute https URL",
            "Alerts:PagerDuty:RoutingKey must be a 32-character integration key",
            "Alerts:RetryDelay must not exceed Alerts:MaxRetryDelay",
        ], Errors(options));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("   ", false)]
    [InlineData("k", true)]
    public void PagerDutyEnabled_RoutingKey_OnlyWhenSet(string? key, bool enabled) =>
        Assert.Equal(enabled, new PagerDutySinkOptions { RoutingKey = key }.Enabled);

    [Fact]
    public void WebhookEnabled_Url_OnlyWhenSet()
    {
        Assert.False(new WebhookSinkOptions().Enabled);
        Assert.True(new WebhookSinkOptions { Url = new Uri("https://hooks.example.com/x") }.Enabled);
    }

    private static WebhookSinkOptions Sink(AlertsOptions options, string name) => name switch
    {
        "Webhook" => options.Webhook,
        "Teams" => options.Teams,
        _ => options.Slack,
    };
}
