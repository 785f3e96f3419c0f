using System.ComponentModel.DataAnnotations;
using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Options;

/// <summary>Settings of section <c>Alerts</c>: who is paged, for what, how often. Sink URLs and keys are secrets.</summary>
public sealed class AlertsOptions : IValidatableObject
{
    public const string Section = "Alerts";

    /// <summary>Findings at or above this severity are sent to on-call (default: warning and critical).</summary>
    public FindingSeverity MinimumSeverity { get; set; } = FindingSeverity.Warning;

    /// <summary>A finding that stays open is sent again after this long.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00", ErrorMessage = "Alerts:RenotifyInterval must lie between 00:05:00 and 7.00:00:00")]
    public TimeSpan RenotifyInterval { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Timeout of one delivery to one sink.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00", ErrorMessage = "Alerts:DeliveryTimeout must lie between 00:00:01 and 00:02:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First retry delay of a failed delivery; doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Alerts:RetryDelay must lie between 00:00:01 and 01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Alerts:MaxRetryDelay must lie between 00:00:01 and 1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    public WebhookSinkOptions Webhook { get; set; } = new();
    public WebhookSinkOptions Teams { get; set; } = new();
    public WebhookSinkOptions Slack { get; set; } = new();
    public PagerDutySinkOptions PagerDuty { get; set; } = new();

    /// <summary>An https URL, or http to this machine (a local receiver in tests and development); no other scheme.</summary>
    private static bool IsSinkUrl(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, sink) in new[] { ("Webhook", Webhook), ("Teams", Teams), ("Slack", Slack) })
        {
            if (sink.Url is { } url && !IsSinkUrl(url))
            {
                // The URL is a secret: the message names the key, never the value.
                yield return new ValidationResult($"Alerts:{name}:Url must be an absolute https URL", [name]);
            }
        }

        if (PagerDuty.EventsUrl is { } events && !IsSinkUrl(events))
        {
            yield return new ValidationResult("Alerts:PagerDuty:EventsUrl must be an absolute https URL", ["PagerDuty"]);
        }

        if (PagerDuty.RoutingKey is { Length: > 0 } key && (key.Length != 32 || !key.All(char.IsAsciiLetterOrDigit)))
        {
            yield return new ValidationResult("Alerts:PagerDuty:RoutingKey must be a 32-character integration key", ["PagerDuty"]);
        }

        if (RetryDelay > MaxRetryDelay)
        {
            yield return new ValidationResult("Alerts:RetryDelay must not exceed Alerts:MaxRetryDelay", [nameof(RetryDelay)]);
        }
    }
}

/// <summary>A sink reached by one secret URL (generic webhook, Teams Workflows, Slack incoming webhook).</summary>
public sealed class WebhookSinkOptions
{
    /// <summary>The webhook URL (a secret: from configuration or Key Vault only, never logged). Empty = sink off.</summary>
    public Uri? Url { get; set; }

    /// <summary>Overrides <see cref="AlertsOptions.MinimumSeverity"/> for this sink.</summary>
    public FindingSeverity? MinimumSeverity { get; set; }

    public bool Enabled => Url is not null;
}

/// <summary>PagerDuty Events API v2.</summary>
public sealed class PagerDutySinkOptions
{
    /// <summary>The integration (routing) key, a secret. Empty = sink off.</summary>
    public string? RoutingKey { get; set; }

    public Uri? EventsUrl { get; set; } = new("https://events.pagerduty.com/v2/enqueue");

    public FindingSeverity? MinimumSeverity { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(RoutingKey);
}
