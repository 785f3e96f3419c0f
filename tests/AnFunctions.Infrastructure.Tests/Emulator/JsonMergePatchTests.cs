using System.Text.Json.Nodes;
using AnFunctions.Emulator;

namespace AnFunctions.Infrastructure.Tests.Emulator;

public sealed class JsonMergePatchTests
{
    private static JsonObject Apply(string target, string patch)
    {
        var result = JsonNode.Parse(target)!.AsObject();
        JsonMergePatch.Apply(result, JsonNode.Parse(patch)!.AsObject());
        return result;
    }

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual.ToJsonString());

    [Fact]
    public void Apply_NestedObjects_MergesRecursively() =>
        AssertJson("""{"a":{"b":1,"c":3},"d":4}""", Apply("""{"a":{"b":1,"c":2},"d":4}""", """{"a":{"c":3}}"""));

    [Fact]
    public void Apply_Array_ReplacesWholeArray() =>
        AssertJson("""{"nics":[{"name":"x"}]}""", Apply("""{"nics":[{"name":"x","primary":true},{"name":"y"}]}""", """{"nics":[{"name":"x"}]}"""));

    [Fact]
    public void Apply_Null_RemovesProperty() =>
        AssertJson("""{"b":2}""", Apply("""{"a":1,"b":2}""", """{"a":null,"zzz":null}"""));

    [Fact]
    public void Apply_NameInOtherCase_UpdatesTargetSpelling() =>
        AssertJson("""{"enableAcceleratedNetworking":true}""", Apply("""{"enableAcceleratedNetworking":false}""", """{"EnableAcceleratedNetworking":true}"""));

    [Fact]
    public void Apply_ObjectOverScalar_ReplacesAndDropsNulls() =>
        AssertJson("""{"a":{"b":1}}""", Apply("""{"a":5}""", """{"a":{"b":1,"c":null}}"""));

    [Fact]
    public void Apply_PatchReused_IsNotModified()
    {
        var patch = JsonNode.Parse("""{"a":{"b":[1,2]}}""")!.AsObject();
        var first = new JsonObject();
        var second = new JsonObject();

        JsonMergePatch.Apply(first, patch);
        JsonMergePatch.Apply(second, patch);

        AssertJson("""{"a":{"b":[1,2]}}""", patch);
        AssertJson("""{"a":{"b":[1,2]}}""", second);
    }
}
