using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Events;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;

namespace AnFunctions.Infrastructure.EventGrid;

/// <summary>
/// Reads an Event Grid delivery with <c>Azure.Messaging.EventGrid</c>: Event Grid schema or CloudEvents 1.0, one event
/// or an array. Each element is parsed on its own so that one bad element never costs the others. Routing uses the
/// event type only; <c>data.status</c> is kept for logs (the public samples carry wrong statuses).
/// </summary>
public sealed class EventGridPayloadParser : IEventPayloadParser
{
    /// <summary>Event Grid caps a delivery at 1 MB; anything larger is not an Event Grid delivery.</summary>
    public const int MaxPayloadChars = 1024 * 1024;

    private const int ExcerptLength = 300;

    public EventParseResult Parse(string payload)
    {
        var events = new List<ResourceEvent>();
        var unreadable = new List<UnreadableEvent>();
        if (string.IsNullOrWhiteSpace(payload))
        {
            unreadable.Add(new UnreadableEvent(null, "the delivery is empty", string.Empty));
            return new EventParseResult(events, unreadable);
        }

        if (payload.Length > MaxPayloadChars)
        {
            unreadable.Add(new UnreadableEvent(null, $"the delivery is larger than {MaxPayloadChars} characters", Excerpt(payload)));
            return new EventParseResult(events, unreadable);
        }

        JsonNode? root;
        try
        {
            // Duplicate properties make an event ambiguous (which "id", which "resourceUri"?), and a JsonObject that
            // holds them throws on first access; a string with a lone surrogate cannot be transcoded (ArgumentException).
            root = JsonNode.Parse(payload, documentOptions: new JsonDocumentOptions { MaxDepth = 64, AllowDuplicateProperties = false });
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // InvalidOperationException: an escaped lone surrogate (\uD83D without its pair) found while checking names.
            unreadable.Add(new UnreadableEvent(null, $"the delivery is not valid JSON: {e.Message}", Excerpt(payload)));
            return new EventParseResult(events, unreadable);
        }

        IEnumerable<JsonNode?> elements = root is JsonArray array ? array : [root];
        foreach (var element in elements)
        {
            if (TryRead(element, out var resourceEvent, out var problem))
            {
                events.Add(resourceEvent);
            }
            else
            {
                unreadable.Add(problem);
            }
        }

        if (root is JsonArray { Count: 0 })
        {
            unreadable.Add(new UnreadableEvent(null, "the delivery is an empty array", "[]"));
        }

        return new EventParseResult(events, unreadable);
    }

    private static bool TryRead(JsonNode? element, out ResourceEvent resourceEvent, out UnreadableEvent problem)
    {
        resourceEvent = null!;
        problem = null!;
        // Materialise the element once: an escaped lone surrogate (\uD83D without its pair) only throws when the text
        // is read, so this element is unreadable and the others are not affected.
        string raw;
        try
        {
            raw = element?.ToJsonString() ?? "null";
        }
        catch (InvalidOperationException e)
        {
            problem = new UnreadableEvent(null, $"the element is not valid JSON text: {e.Message}", "(not printable)");
            return false;
        }

        if (element is not JsonObject obj)
        {
            problem = new UnreadableEvent(null, "an element of the delivery is not a JSON object", Excerpt(raw));
            return false;
        }

        var id = obj["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s) ? s : null;
        try
        {
            if (obj.ContainsKey("eventType"))
            {
                resourceEvent = FromEventGridSchema(raw);
                return true;
            }

            if (obj.ContainsKey("specversion") || obj.ContainsKey("specVersion"))
            {
                resourceEvent = FromCloudEventSchema(obj);
                return true;
            }

            problem = new UnreadableEvent(id, "the element is neither an Event Grid event (eventType) nor a CloudEvent (specversion)", Excerpt(raw));
            return false;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or JsonException or InvalidOperationException or InvalidCastException or KeyNotFoundException)
        {
            problem = new UnreadableEvent(id, $"the event cannot be read: {e.Message}", Excerpt(raw));
            return false;
        }
    }

    private static ResourceEvent FromEventGridSchema(string raw)
    {
        var parsed = EventGridEvent.Parse(BinaryData.FromString(raw));
        Require(parsed.Id, "id");
        Require(parsed.EventType, "eventType");
        var data = parsed.TryGetSystemEventData(out var systemData) ? systemData : null;
        return Build(parsed.Id, parsed.EventType, EventSchema.EventGrid, parsed.Subject, parsed.EventTime, data);
    }

    private static ResourceEvent FromCloudEventSchema(JsonObject obj)
    {
        // Some published samples spell the attribute "specVersion"; CloudEvents 1.0 says "specversion".
        if (!obj.ContainsKey("specversion") && obj["specVersion"] is { } specVersion)
        {
            obj.Remove("specVersion");
            obj["specversion"] = specVersion.DeepClone();
        }

        var parsed = CloudEvent.Parse(BinaryData.FromString(obj.ToJsonString()))
            ?? throw new FormatException("the CloudEvent is empty");
        Require(parsed.Id, "id");
        Require(parsed.Type, "type");
        var data = parsed.TryGetSystemEventData(out var systemData) ? systemData : null;
        return Build(parsed.Id, parsed.Type, EventSchema.CloudEvents, parsed.Subject, parsed.Time, data);
    }

    private static ResourceEvent Build(string id, string eventType, EventSchema schema, string? subject, DateTimeOffset? time, object? data)
    {
        var kind = KindOf(eventType);
        var fields = data switch
        {
            ResourceWriteSuccessEventData d => new Fields(d.ResourceUri, d.OperationName, d.CorrelationId, d.SubscriptionId, d.Status, HttpMethod(() => d.HttpRequestValue)),
            ResourceWriteFailureEventData d => new Fields(d.ResourceUri, d.OperationName, d.CorrelationId, d.SubscriptionId, d.Status, HttpMethod(() => d.HttpRequestValue)),
            ResourceWriteCancelEventData d => new Fields(d.ResourceUri, d.OperationName, d.CorrelationId, d.SubscriptionId, d.Status, HttpMethod(() => d.HttpRequestValue)),
            ResourceDeleteSuccessEventData d => new Fields(d.ResourceUri, d.OperationName, d.CorrelationId, d.SubscriptionId, d.Status, HttpMethod(() => d.HttpRequestValue)),
            _ => new Fields(null, null, null, null, null, null),
        };

        var resourceUri = !string.IsNullOrWhiteSpace(fields.ResourceUri) ? fields.ResourceUri : subject;
        if (kind != ResourceEventKind.Other && string.IsNullOrWhiteSpace(resourceUri))
        {
            throw new FormatException("the event has neither data.resourceUri nor subject");
        }

        return new ResourceEvent
        {
            Id = id,
            EventType = eventType,
            Kind = kind,
            Schema = schema,
            ResourceUri = resourceUri ?? string.Empty,
            OperationName = NullIfEmpty(fields.OperationName),
            CorrelationId = NullIfEmpty(fields.CorrelationId),
            SubscriptionId = NullIfEmpty(fields.SubscriptionId),
            EventTime = time,
            HttpMethod = NullIfEmpty(fields.HttpMethod),
            Status = NullIfEmpty(fields.Status),
        };
    }

    private static ResourceEventKind KindOf(string eventType) => eventType switch
    {
        _ when eventType.Equals(SystemEventNames.ResourceWriteSuccess, StringComparison.OrdinalIgnoreCase) => ResourceEventKind.WriteSuccess,
        _ when eventType.Equals(SystemEventNames.ResourceWriteFailure, StringComparison.OrdinalIgnoreCase) => ResourceEventKind.WriteFailure,
        _ when eventType.Equals(SystemEventNames.ResourceWriteCancel, StringComparison.OrdinalIgnoreCase) => ResourceEventKind.WriteCancel,
        _ when eventType.Equals(SystemEventNames.ResourceDeleteSuccess, StringComparison.OrdinalIgnoreCase) => ResourceEventKind.DeleteSuccess,
        _ => ResourceEventKind.Other,
    };

    /// <summary>
    /// <c>data.httpRequest</c> appears only on updates and deletes; the SDK's accessor throws when it is absent or not
    /// an object, so its absence is read as "no method" rather than as a broken event.
    /// </summary>
    private static string? HttpMethod(Func<ResourceHttpRequest?> read)
    {
        try
        {
            return read()?.Method.ToString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static void Require(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new FormatException($"the event has no {name}");
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Excerpt(string text) => text.Length <= ExcerptLength ? text : text[..ExcerptLength] + "…";

    private sealed record Fields(string? ResourceUri, string? OperationName, string? CorrelationId, string? SubscriptionId, string? Status, string? HttpMethod);
}
