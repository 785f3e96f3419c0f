using System.Text.Json;
using System.Text.Json.Serialization;

namespace AnFunctions.Core.ScaleSets;

/// <summary>A <see cref="ScaleSetId"/> as its string <see cref="ScaleSetId.Value"/>, read back with <see cref="ScaleSetId.Parse"/>.</summary>
public sealed class ScaleSetIdJsonConverter : JsonConverter<ScaleSetId>
{
    public override ScaleSetId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"a scale set id must be a JSON string, not {reader.TokenType}");
        }

        try
        {
            return ScaleSetId.Parse(reader.GetString()!);
        }
        catch (FormatException e)
        {
            throw new JsonException(e.Message, e);
        }
    }

    public override void Write(Utf8JsonWriter writer, ScaleSetId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.Value);
    }
}
