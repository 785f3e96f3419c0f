using System.Text;
using System.Text.Json;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.ScaleSets;

/// <summary><see cref="ScaleSetIdJsonConverter"/>: an id as its string, read back strictly with a clear <see cref="JsonException"/>.</summary>
public sealed class ScaleSetIdJsonConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new ScaleSetIdJsonConverter() } };
    private readonly ScaleSetIdJsonConverter _converter = new();

    [Fact]
    public void Write_Id_ItsValueAsAString()
    {
        Assert.Equal($"\"{TestData.Id().Value}\"", JsonSerializer.Serialize(TestData.Id(), Options));
        Assert.Equal($"{{\"Id\":\"{TestData.Id().Value}\"}}", JsonSerializer.Serialize(new Holder(TestData.Id()), Options));
    }

    [Fact]
    public void Read_IdString_TheId()
    {
        var id = JsonSerializer.Deserialize<ScaleSetId>($"\"{TestData.Id().Value}\"", Options);

        Assert.Equal(TestData.Id(), id);
        Assert.Equal("nodepool-a1b2c", id!.Name);
    }

    [Theory]
    [InlineData("42", "a scale set id must be a JSON string, not Number")]
    [InlineData("{}", "a scale set id must be a JSON string, not StartObject")]
    [InlineData("[]", "a scale set id must be a JSON string, not StartArray")]
    [InlineData("true", "a scale set id must be a JSON string, not True")]
    [InlineData("null", "a scale set id must be a JSON string, not Null")]
    public void Read_NotAString_ThrowsNamingTheToken(string json, string message)
    {
        var e = ReadError(json);

        Assert.Equal(message, e.Message);
        Assert.Null(e.InnerException);
    }

    [Theory]
    [InlineData("\"\"", "the resource id is empty")]
    [InlineData("\"/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/x\"", "the subscription id in the resource id is not a GUID")]
    [InlineData("\"/subscriptions/x/resourceGroups/rg\"", "'/subscriptions/x/resourceGroups/rg' is not a virtual machine scale set id (/subscriptions/{id}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name})")]
    public void Read_BadId_ThrowsWithTheParseErrorAndTheFormatExceptionInside(string json, string message)
    {
        var e = ReadError(json);

        Assert.Equal(message, e.Message);
        Assert.Equal(message, Assert.IsType<FormatException>(e.InnerException).Message);
    }

    [Fact]
    public void Read_BadIdThroughTheSerializer_JsonException() =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ScaleSetId>("\"nope\"", Options));

    [Fact]
    public void Write_NullArguments_Throw()
    {
        using var stream = new MemoryStream();
        using var writer = new Utf8JsonWriter(stream);

        Assert.Equal("writer", Assert.Throws<ArgumentNullException>(() => _converter.Write(null!, TestData.Id(), Options)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentNullException>(() => _converter.Write(writer, null!, Options)).ParamName);
        writer.Flush();
        Assert.Equal(0, stream.Length);
    }

    private JsonException ReadError(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        reader.Read();
        try
        {
            _converter.Read(ref reader, typeof(ScaleSetId), Options);
        }
        catch (JsonException e)
        {
            return e;
        }

        throw new InvalidOperationException($"{json} was read");
    }

    private sealed record Holder(ScaleSetId Id);
}
