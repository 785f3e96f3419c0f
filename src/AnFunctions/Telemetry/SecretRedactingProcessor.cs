using System.Diagnostics;
using OpenTelemetry;

namespace AnFunctions.Telemetry;

/// <summary>
/// Redacts the alert sinks' secrets from every span before it is exported: its display name and every string
/// attribute (<c>url.full</c>, <c>url.path</c>, <c>http.url</c>, ...) and its status description. The Azure Monitor
/// exporter builds a dependency's name and data from these, so neither can carry a secret. (Span events are not
/// rewritten: an Activity's events are immutable; HttpClient's exception messages do not carry the request URL.)
/// </summary>
public sealed class SecretRedactingProcessor(SecretRedactor redactor) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!redactor.HasSecrets)
        {
            return;
        }

        data.DisplayName = redactor.Redact(data.DisplayName);
        foreach (var (key, value) in data.TagObjects.ToList())
        {
            if (value is string text && redactor.Redact(text) is var redacted && !string.Equals(redacted, text, StringComparison.Ordinal))
            {
                data.SetTag(key, redacted);
            }
        }

        if (data.StatusDescription is { } status)
        {
            data.SetStatus(data.Status, redactor.Redact(status));
        }
    }
}
