using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>JSON helpers: compact UTF-8 output that keeps <c>+</c> and non-ASCII text as ARM writes them.</summary>
internal static class ArmJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static JsonObject ParseObject(byte[] utf8) =>
        JsonNode.Parse(utf8)?.AsObject() ?? throw new InvalidOperationException("Stored JSON is not an object.");

    /// <summary><c>{"value":[...],"nextLink":"..."}</c> from already serialized items.</summary>
    public static ReadOnlyMemory<byte> WriteList(IReadOnlyCollection<byte[]> items, string? nextLink)
    {
        var size = 64 + (nextLink?.Length ?? 0);
        foreach (var item in items)
        {
            size += item.Length + 1;
        }

        var buffer = new ArrayBufferWriter<byte>(size);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("value");
            foreach (var item in items)
            {
                writer.WriteRawValue(item, skipInputValidation: true);
            }

            writer.WriteEndArray();
            if (nextLink is not null)
            {
                writer.WriteString("nextLink", nextLink);
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    public static byte[] Error(string code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The error body as a string, as the Activity Log keeps it in <c>statusMessage</c>.</summary>
    public static string ErrorText(string code, string message) => System.Text.Encoding.UTF8.GetString(Error(code, message));

    /// <summary>ARM's timestamp format: seven fractional digits and an offset, e.g. <c>2021-06-27T01:02:38.3138469+00:00</c>.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    /// <summary>The Activity Log's timestamp format: UTC with a <c>Z</c>, e.g. <c>2015-01-21T22:14:26.9792776Z</c>.</summary>
    public static string UtcTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A property ARM would match case-insensitively.</summary>
    public static JsonNode? Property(JsonObject? parent, string name)
    {
        if (parent is null)
        {
            return null;
        }

        var found = JsonMergePatch.FindPropertyName(parent, name);
        return found is null ? null : parent[found];
    }

    public static JsonObject? ObjectProperty(JsonObject? parent, string name) => Property(parent, name) as JsonObject;

    public static string? StringProperty(JsonObject? parent, string name) =>
        Property(parent, name) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static long? Int64Property(JsonObject? parent, string name)
    {
        if (Property(parent, name) is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<long>(out var number))
        {
            return number;
        }

        // A value built in code (JsonValue.Create(3)) only converts to its own CLR type.
        if (value.TryGetValue<int>(out var small))
        {
            return small;
        }

        return value.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out number)
            ? number
            : null;
    }

    /// <summary>Sets <paramref name="name"/>, reusing the existing spelling of the property when there is one.</summary>
    public static void Set(JsonObject parent, string name, JsonNode? value) =>
        parent[JsonMergePatch.FindPropertyName(parent, name) ?? name] = value;

    /// <summary>The object property <paramref name="name"/>, created when missing or not an object.</summary>
    public static JsonObject GetOrAddObject(JsonObject parent, string name)
    {
        if (ObjectProperty(parent, name) is { } existing)
        {
            return existing;
        }

        var created = new JsonObject();
        Set(parent, name, created);
        return created;
    }
}
