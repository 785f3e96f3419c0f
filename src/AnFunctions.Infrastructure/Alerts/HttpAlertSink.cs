using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AnFunctions.Infrastructure.Alerts;

/// <summary>
/// A sink that POSTs one JSON document per notification. The base does what every sink does the same way: the
/// severity filter, the per-delivery timeout (<see cref="AlertsOptions.DeliveryTimeout"/>), and the classification of
/// failures: no answer in time, no connection, 408, 429 and 5xx are transient (with the receiver's
/// <c>Retry-After</c>); any other non-2xx is terminal. The endpoint and any key are secrets: they appear in no log line
/// and no exception message, and a receiver's answer is cleansed of them before it is quoted.
/// </summary>
public abstract class HttpAlertSink : IAlertSink
{
    private const int MaxQuotedResponse = 200;
    private const int MaxReadResponse = 4096;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    protected HttpAlertSink(string name, AlertsOptions options, IHttpClientFactory httpClientFactory, TimeProvider time, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        Name = name;
        Options = options;
        _httpClientFactory = httpClientFactory;
        _time = time;
        _logger = logger;
    }

    public string Name { get; }

    /// <summary>Whether the sink has what it needs (a URL, a routing key) to deliver.</summary>
    public bool Enabled => Endpoint is not null;

    protected AlertsOptions Options { get; }

    /// <summary>Where to POST; null when the sink is not configured.</summary>
    protected abstract Uri? Endpoint { get; }

    /// <summary>This sink's own threshold, overriding <see cref="AlertsOptions.MinimumSeverity"/> when set.</summary>
    protected abstract FindingSeverity? MinimumSeverity { get; }

    /// <summary>The secret values besides the endpoint (a routing key) that must never be quoted.</summary>
    protected virtual IEnumerable<string> Secrets => [];

    /// <summary>Triggers at or above the sink's threshold; every resolve (the dispatcher only resolves what it triggered).</summary>
    public bool Accepts(AlertNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return notification.Action == AlertAction.Resolve
            || notification.Finding.Severity >= (MinimumSeverity ?? Options.MinimumSeverity);
    }

    public async Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var finding = notification.Finding;
        if (Endpoint is not { } endpoint)
        {
            AlertSinkLog.NotConfigured(_logger, Name, notification.NotificationId, finding.Id);
            throw new AlertDeliveryException(Name, null, "the sink is not configured", isTransient: false);
        }

        var body = BuildPayload(notification).ToJsonString(Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        AddHeaders(request, notification);

        var timeout = Options.DeliveryTimeout;
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var client = _httpClientFactory.CreateClient(AlertSinkServiceCollectionExtensions.HttpClientName(Name));
        var started = _time.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                AlertSinkLog.Delivered(_logger, Name, notification.NotificationId, Action(notification), finding.Id, status, (long)_time.GetElapsedTime(started).TotalMilliseconds);
                return;
            }

            var transient = IsTransient(response.StatusCode);
            var retryAfter = transient ? RetryAfter(response.Headers.RetryAfter) : null;
            var reason = await DescribeAsync(response, linked.Token).ConfigureAwait(false);
            AlertSinkLog.Refused(_logger, Name, notification.NotificationId, finding.Id, status, transient, retryAfter, reason);
            throw new AlertDeliveryException(Name, status, reason, transient, retryAfter);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            AlertSinkLog.TimedOut(_logger, Name, notification.NotificationId, finding.Id, timeout);
            throw new AlertDeliveryException(Name, null, $"no answer within {timeout}", isTransient: true, inner: e);
        }
        catch (HttpRequestException e)
        {
            // The error kind only: HttpRequestException messages name host and port, and we quote no part of the endpoint.
            var error = e.HttpRequestError.ToString();
            AlertSinkLog.Unreachable(_logger, Name, notification.NotificationId, finding.Id, error);
            throw new AlertDeliveryException(Name, null, $"the receiver could not be reached ({error})", isTransient: true, inner: e);
        }
    }

    /// <summary>The vendor's JSON document for the notification.</summary>
    internal abstract JsonNode BuildPayload(AlertNotification notification);

    /// <summary>Headers besides Content-Type (none by default).</summary>
    internal virtual void AddHeaders(HttpRequestMessage request, AlertNotification notification)
    {
    }

    /// <summary>Timeouts (408), throttling (429) and server errors (5xx) can pass; any other refusal will not.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status is >= 500 and <= 599;

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date - _time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    /// <summary>"HTTP 400 Bad Request: {what the receiver said}", one line, short, with the secrets cut out.</summary>
    private async Task<string> DescribeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var description = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        string answer;
        try
        {
            answer = await ReadStartAsync(response.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            // The status is what matters; a body that cannot be read adds nothing.
            answer = string.Empty;
        }

        // Redact before cutting, so that no prefix of a secret survives at the cut.
        description = Redact(AlertText.OneLine(description));
        answer = Redact(AlertText.OneLine(answer));
        return answer.Length == 0 ? description : $"{description}: {AlertText.Truncate(answer, MaxQuotedResponse)}";
    }

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxReadResponse];
            var read = 0;
            int count;
            while (read < buffer.Length && (count = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false)) > 0)
            {
                read += count;
            }

            return Encoding.UTF8.GetString(buffer, 0, read);
        }
    }

    /// <summary>Removes every form of the endpoint and the secrets a receiver might echo back.</summary>
    private string Redact(string text)
    {
        foreach (var secret in SecretForms().OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "***", StringComparison.OrdinalIgnoreCase);
        }

        return text;
    }

    private IEnumerable<string> SecretForms()
    {
        foreach (var secret in Secrets.Where(s => !string.IsNullOrEmpty(s)))
        {
            yield return secret;
        }

        if (Endpoint is not { } endpoint)
        {
            yield break;
        }

        yield return endpoint.OriginalString;
        yield return endpoint.AbsoluteUri;
        yield return endpoint.PathAndQuery;
        yield return WebUtility.UrlDecode(endpoint.PathAndQuery);

        // Tokens inside the path and query (Slack's /services/T…/B…/secret, a Workflows sig=…), each on its own.
        foreach (var part in endpoint.PathAndQuery.Split(['/', '?', '&', '='], StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.Length >= 8)
            {
                yield return part;
                yield return WebUtility.UrlDecode(part);
            }
        }
    }

    private static string Action(AlertNotification notification) => notification.Action == AlertAction.Resolve ? "resolve" : "trigger";
}
