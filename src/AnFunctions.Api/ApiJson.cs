using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Api;

/// <summary>The JSON of the HTTP API: camelCase names, enums by name, scale set ids as their canonical string.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.Default,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(), new ScaleSetIdJsonConverter() },
    };

    /// <summary>Request bodies: strict (an unknown field is an error, not silently ignored), shallow.</summary>
    public static readonly JsonSerializerOptions Requests = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };
}
