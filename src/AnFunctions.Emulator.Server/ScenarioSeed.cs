using System.Text.Json;
using System.Text.Json.Nodes;

namespace AnFunctions.Emulator.Server;

/// <summary>Seeds an emulator with a scenario file's <c>skus</c> and <c>scaleSets</c> (the scenario contract's Azure at <c>start</c>).</summary>
public static class ScenarioSeed
{
    /// <returns>How many SKUs and scale sets were seeded.</returns>
    /// <exception cref="InvalidDataException">The file is not a scenario: the message names the file and the field.</exception>
    public static (int Skus, int ScaleSets) Load(ArmEmulator emulator, string path)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        JsonObject scenario;
        try
        {
            scenario = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                       ?? throw new InvalidDataException($"{path}: a scenario is a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }

        var skus = Objects(scenario, "skus", path);
        var scaleSets = Objects(scenario, "scaleSets", path);
        emulator.AddSkus(skus);
        for (var i = 0; i < scaleSets.Count; i++)
        {
            if (scaleSets[i]["id"] is not JsonValue id || id.GetValueKind() != JsonValueKind.String)
            {
                throw new InvalidDataException($"{path}: scaleSets[{i}].id is required (a scale set resource id)");
            }

            emulator.PutScaleSet(scaleSets[i]);
        }

        return (skus.Count, scaleSets.Count);
    }

    private static List<JsonObject> Objects(JsonObject scenario, string field, string path)
    {
        if (scenario[field] is null)
        {
            return [];
        }

        if (scenario[field] is not JsonArray array)
        {
            throw new InvalidDataException($"{path}: {field} must be an array");
        }

        var result = new List<JsonObject>();
        for (var i = 0; i < array.Count; i++)
        {
            result.Add(array[i] as JsonObject ?? throw new InvalidDataException($"{path}: {field}[{i}] must be an object"));
        }

        return result.Select(o => o.DeepClone().AsObject()).ToList();
    }
}
