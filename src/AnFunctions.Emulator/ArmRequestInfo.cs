using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>What a fault rule sees of a request.</summary>
public sealed class ArmRequestInfo
{
    private readonly Lazy<JsonNode?> _body;

    internal ArmRequestInfo(string method, string path, string query, ArmCallKind kind, string? resourceId, string? bodyText)
    {
        Method = method;
        Path = path;
        Query = query;
        Kind = kind;
        ResourceId = resourceId;
        BodyText = bodyText;
        _body = new Lazy<JsonNode?>(() => ParseOrNull(bodyText));
    }

    /// <summary>The HTTP method, upper case.</summary>
    public string Method { get; }

    /// <summary>The request path, unescaped, without query string.</summary>
    public string Path { get; }

    /// <summary>The query string as sent, with its leading <c>?</c> (empty when there is none).</summary>
    public string Query { get; }

    public ArmCallKind Kind { get; }

    /// <summary>The scale set the request is about (its id as requested), when it is about one.</summary>
    public string? ResourceId { get; }

    /// <summary>The request body as text; null when there is none.</summary>
    public string? BodyText { get; }

    /// <summary>The request body parsed as JSON; null when there is none or it is not JSON. Do not modify it.</summary>
    public JsonNode? Body => _body.Value;

    internal static JsonNode? ParseOrNull(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
