using System.Globalization;
using System.Text.Json;
using AnFunctions.Core.ActivityLog;
using Azure.Core;

namespace AnFunctions.Infrastructure.Arm;

/// <summary>
/// The Activity Log of a subscription through ARM's REST API (<c>Microsoft.Insights/eventtypes/management/values</c>,
/// api-version 2015-04-01), sent over the app's ARM pipeline because the Monitor SDK package is not available here.
/// </summary>
public sealed class ArmActivityLog(ArmConnection arm) : IActivityLog
{
    public const string ApiVersion = "2015-04-01";

    /// <summary>How far around the event's time the log is searched (the log keeps the operation's own timestamps).</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(2);

    public async Task<FailedOperation?> FindFailedWriteAsync(string subscriptionId, string correlationId, DateTimeOffset around, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(subscriptionId, out var subscription))
        {
            throw new ArgumentException("not a subscription id", nameof(subscriptionId));
        }

        // The correlation id comes from an event: only a GUID is ever put into the filter.
        if (!Guid.TryParse(correlationId, out var correlation))
        {
            return null;
        }

        // The event time comes from the event too: near the ends of the calendar the window is cut, not overflowed.
        var from = around > DateTimeOffset.MinValue + Window ? around - Window : DateTimeOffset.MinValue;
        var to = around < DateTimeOffset.MaxValue - Window ? around + Window : DateTimeOffset.MaxValue;
        var filter = string.Create(CultureInfo.InvariantCulture,
            $"eventTimestamp ge '{from.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' and eventTimestamp le '{to.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}' and correlationId eq '{correlation:D}'");
        var next = arm.UriFor($"/subscriptions/{subscription:D}/providers/Microsoft.Insights/eventtypes/management/values", ApiVersion, "$filter=" + Uri.EscapeDataString(filter));
        FailedOperation? found = null;
        for (var page = 0; next is not null && page < 20; page++)
        {
            using var request = arm.Pipeline.CreateRequest();
            request.Method = RequestMethod.Get;
            request.Uri.Reset(next);
            var response = await ArmErrors.Call("read the Activity Log",
                async () => await arm.Pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            if (response.Status != 200)
            {
                throw ArmErrors.From(response, "read the Activity Log");
            }

            using var document = JsonDocument.Parse(response.Content);
            if (document.RootElement.TryGetProperty("value", out var values) && values.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in values.EnumerateArray())
                {
                    var operation = Read(entry, correlation.ToString("D"));
                    // Prefer the entry that carries the error (the request's end, status Failed/Canceled).
                    if (operation is not null && (found is null || (found.ErrorCode is null && operation.ErrorCode is not null)))
                    {
                        found = operation;
                    }
                }
            }

            next = document.RootElement.TryGetProperty("nextLink", out var link) && link.GetString() is { Length: > 0 } url ? new Uri(url) : null;
        }

        return found;
    }

    /// <summary>One Activity Log event as a failed operation; null when it is not a failed or cancelled one.</summary>
    public static FailedOperation? Read(JsonElement entry, string correlationId)
    {
        var status = Localized(entry, "status");
        if (status is null || !(status.Equals("Failed", StringComparison.OrdinalIgnoreCase) || status.Equals("Canceled", StringComparison.OrdinalIgnoreCase)
                                || status.Equals("Cancelled", StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        string? code = null, message = null, body = null;
        if (entry.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            if (properties.TryGetProperty("statusMessage", out var statusMessage) && statusMessage.ValueKind == JsonValueKind.String)
            {
                (code, message) = ParseError(statusMessage.GetString()!);
            }

            foreach (var property in properties.EnumerateObject())
            {
                if (property.Name.Equals("requestbody", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                {
                    body = property.Value.GetString();
                }
            }
        }

        return new FailedOperation(
            correlationId,
            entry.TryGetProperty("resourceId", out var resource) ? resource.GetString() ?? string.Empty : string.Empty,
            Localized(entry, "operationName"),
            status,
            code,
            message,
            body,
            entry.TryGetProperty("eventTimestamp", out var timestamp) && timestamp.TryGetDateTimeOffset(out var at) ? at : null);
    }

    /// <summary>ARM's statusMessage is usually <c>{"error":{"code":..,"message":..}}</c> (sometimes with a status wrapper), else text.</summary>
    public static (string? Code, string? Message) ParseError(string statusMessage)
    {
        try
        {
            using var document = JsonDocument.Parse(statusMessage);
            var error = document.RootElement;
            if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("error", out var inner))
            {
                error = inner;
            }

            if (error.ValueKind == JsonValueKind.Object)
            {
                return (
                    error.TryGetProperty("code", out var code) ? code.GetString() : null,
                    error.TryGetProperty("message", out var message) ? message.GetString() : null);
            }
        }
        catch (JsonException)
        {
            // Not JSON: keep the text as the message.
        }

        return (null, statusMessage);
    }

    private static string? Localized(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Object when value.TryGetProperty("value", out var v) => v.GetString(),
                JsonValueKind.String => value.GetString(),
                _ => null,
            }
            : null;
}
