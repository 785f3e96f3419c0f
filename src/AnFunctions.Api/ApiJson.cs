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
        Converters = { new JsonStringEnumConverter(), new ScaleSetIdConverter() },
    };

    /// <summary>Request bodies: strict (an unknown field is an error, not silently ignored), shallow.</summary>
    public static readonly JsonSerializerOptions Requests = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 8,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
    };

    private sealed class ScaleSetIdConverter : JsonConverter<ScaleSetId>
    {
        public override ScaleSetId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            ScaleSetId.Parse(reader.GetString() ?? string.Empty);

        public override void Write(Utf8JsonWriter writer, ScaleSetId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }
}
