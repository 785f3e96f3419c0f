using AnFunctions.Core.Options;
using Microsoft.Extensions.Options;

namespace AnFunctions.Telemetry;

/// <summary>
/// Removes the alert sinks' secrets from telemetry text: the path and query of every configured webhook URL (Slack,
/// Teams and generic webhooks carry their secret there) and the PagerDuty routing key, wherever they appear in a
/// value (a full URL, a path, an operation name). The host and scheme stay, so a dependency still says where it went.
/// </summary>
public sealed class SecretRedactor
{
    public const string Redacted = "[redacted]";

    private readonly IReadOnlyList<string> _secrets;

    public SecretRedactor(IOptions<AlertsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var alerts = options.Value;
        var secrets = new List<string>();
        foreach (var url in new[] { alerts.Webhook.Url, alerts.Teams.Url, alerts.Slack.Url })
        {
            if (url is null)
            {
                continue;
            }

            secrets.Add(url.OriginalString);
            secrets.Add(url.AbsoluteUri);
            var secretPart = url.PathAndQuery;
            if (secretPart.Length > 1)
            {
                secrets.Add(secretPart);
                secrets.Add(url.AbsolutePath.Length > 1 ? url.AbsolutePath : secretPart);
                secrets.Add(Uri.UnescapeDataString(url.AbsolutePath));
            }
        }

        if (!string.IsNullOrWhiteSpace(alerts.PagerDuty.RoutingKey))
        {
            secrets.Add(alerts.PagerDuty.RoutingKey);
        }

        // Longest first, so that a full URL is replaced whole before its path would be.
        _secrets = secrets.Where(s => s.Length > 1).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToList();
    }

    public bool HasSecrets => _secrets.Count > 0;

    /// <summary>The text with every secret replaced; the same instance when there was none.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.OrdinalIgnoreCase))
            {
                var replacement = secret.Contains("://", StringComparison.Ordinal)
                    ? new Uri(secret).GetLeftPart(UriPartial.Authority) + "/" + Redacted
                    : secret.StartsWith('/') ? "/" + Redacted : Redacted;
                text = text.Replace(secret, replacement, StringComparison.OrdinalIgnoreCase);
            }
        }

        return text;
    }
}
