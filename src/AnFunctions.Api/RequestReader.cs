using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using Microsoft.AspNetCore.Http;

namespace AnFunctions.Api;

/// <summary>A value read from a request, or the problem that answers the request instead.</summary>
public readonly record struct Checked<T>(T? Value, ApiResult? Problem)
{
    public bool Failed => Problem is not null;

    public static implicit operator Checked<T>(ApiResult problem) => new(default, problem);
}

/// <summary>
/// The one place where requests are read and checked: query parameters (unknown or repeated ones refused), bodies
/// (size, media type, strict JSON), resource ids (parsed, in scope). Every HTTP function goes through it.
/// </summary>
public static partial class RequestReader
{
    /// <summary>Request bodies above this are refused with 413 before they are read whole.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>The function key parameter, accepted everywhere (the host checks it before the function runs).</summary>
    public const string FunctionKeyParameter = "code";

    /// <summary>Refuses any query parameter not in <paramref name="allowed"/> (plus <c>code</c>), and repeated ones.</summary>
    public static ApiResult? CheckQuery(HttpRequest request, params string[] allowed)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (name, values) in request.Query)
        {
            if (!name.Equals(FunctionKeyParameter, StringComparison.Ordinal) && !allowed.Contains(name, StringComparer.Ordinal))
            {
                return Problems.UnknownParameter(name);
            }

            if (values.Count > 1)
            {
                return Problems.RepeatedParameter(name);
            }
        }

        return null;
    }

    /// <summary>The value of a (checked) query parameter; null when absent or empty.</summary>
    public static string? Query(HttpRequest request, string name) =>
        request.Query.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    /// <summary>A scale set id that parses strictly and lies in scope: 400 when malformed, 403 when out of scope.</summary>
    public static Checked<ScaleSetId> ScaleSetInScope(string? value, AcceleratedNetworkingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (value is null)
        {
            return Problems.InvalidResourceId("resourceId is required");
        }

        if (!ScaleSetId.TryParse(value, out var id, out var error))
        {
            return Problems.InvalidResourceId(LogValues.Safe(error, 512));
        }

        return options.IsInScope(id.SubscriptionId) ? new Checked<ScaleSetId>(id, null) : Problems.OutOfScope(id.SubscriptionId);
    }

    /// <summary>
    /// Reads a JSON body of at most <see cref="MaxBodyBytes"/>: 413 when larger (declared or actual), 415 when it is
    /// not declared as JSON, 400 when it is not valid JSON for <typeparamref name="T"/> (unknown fields included).
    /// An empty body is <paramref name="empty"/> when given, else 400.
    /// </summary>
    public static async Task<Checked<T>> ReadJsonAsync<T>(HttpRequest request, T? empty, CancellationToken cancellationToken) where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > MaxBodyBytes)
        {
            return Problems.BodyTooLarge(MaxBodyBytes);
        }

        var bytes = await ReadBoundedAsync(request.Body, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return Problems.BodyTooLarge(MaxBodyBytes);
        }

        if (bytes.Length == 0)
        {
            return empty is not null ? new Checked<T>(empty, null) : Problems.InvalidBody("a JSON body is required");
        }

        if (!IsJson(request.ContentType))
        {
            return Problems.UnsupportedMediaType();
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(bytes, ApiJson.Requests);
            return value is null ? Problems.InvalidBody("the body must be a JSON object") : new Checked<T>(value, null);
        }
        catch (JsonException e)
        {
            // The parser's position only: the body itself is never echoed.
            return Problems.MalformedJson($"the body is not valid JSON for this request (at {LogValues.Safe(e.Path ?? "$", 64)}, line {e.LineNumber ?? 0}, byte {e.BytePositionInLine ?? 0})");
        }
    }

    public static bool IsValidSubscriptionId(string? value) => value is not null && Guid.TryParseExact(value, "D", out _);

    /// <summary>ARM's resource group name rule: 1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.'.</summary>
    public static bool IsValidResourceGroup(string? value) => value is { Length: > 0 and <= 90 } && ResourceGroupPattern().IsMatch(value) && !value.EndsWith('.');

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed)
        && (parsed.MediaType?.Equals("application/json", StringComparison.OrdinalIgnoreCase) ?? false)
        && (parsed.CharSet is null || parsed.CharSet.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    /// <summary>The body, or null when it holds more than <see cref="MaxBodyBytes"/> (never more than that is kept).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            var total = 0;
            while (total <= MaxBodyBytes)
            {
                var read = await body.ReadAsync(buffer.AsMemory(total, MaxBodyBytes + 1 - total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }

            return total > MaxBodyBytes ? null : buffer.AsSpan(0, total).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [GeneratedRegex(@"^[-\w._()]+$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ResourceGroupPattern();
}
