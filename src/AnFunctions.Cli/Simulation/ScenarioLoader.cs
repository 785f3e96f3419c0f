using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Cli.Simulation;

/// <summary>
/// Reads and validates a scenario file. Every problem names the file, the step and the field; unknown settings are
/// refused so that a typo cannot silently change a result.
/// </summary>
internal static class ScenarioLoader
{
    /// <summary>Scenario files are small rehearsals; anything larger is refused before parsing.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly string[] TopLevelKeys = ["name", "start", "settings", "skus", "scaleSets", "steps", "description"];
    private static readonly string[] StepKinds = ["azure", "event", "audit", "http", "tick"];

    /// <summary>The call kinds a <c>fault</c> step may name (the scenario contract's names), and the emulator's kind for each.</summary>
    private static readonly Dictionary<string, AnFunctions.Emulator.ArmCallKind> FaultKinds = new(StringComparer.Ordinal)
    {
        ["GetScaleSet"] = AnFunctions.Emulator.ArmCallKind.GetScaleSet,
        ["PatchScaleSet"] = AnFunctions.Emulator.ArmCallKind.PatchScaleSet,
        ["ListScaleSets"] = AnFunctions.Emulator.ArmCallKind.ListScaleSets,
        ["ListInstances"] = AnFunctions.Emulator.ArmCallKind.ListInstances,
        ["InstanceAction"] = AnFunctions.Emulator.ArmCallKind.InstanceAction,
        ["ListSkus"] = AnFunctions.Emulator.ArmCallKind.ListSkus,
        ["ActivityLog"] = AnFunctions.Emulator.ArmCallKind.ActivityLog,
        ["ResourceGraph"] = AnFunctions.Emulator.ArmCallKind.ResourceGraphQuery,
    };

    public static Scenario Load(string path)
    {
        var file = Path.GetFileName(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new ScenarioException(path, "file", "does not exist");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new ScenarioException(file, "file", $"is larger than {MaxFileBytes / (1024 * 1024)} MiB");
        }

        return Parse(File.ReadAllText(path), file);
    }

    public static Scenario Parse(string json, string file)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 128, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, AllowDuplicateProperties = false });

            // An escaped lone surrogate (\uD83D without its pair) throws only when the text is read: read it all now.
            _ = root?.ToJsonString();
        }
        catch (JsonException e)
        {
            throw new ScenarioException(file, $"line {e.LineNumber + 1}", $"not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // A string with a lone surrogate, raw or escaped, cannot be transcoded to UTF-8.
            throw new ScenarioException(file, "(text)", $"not valid JSON text: {e.Message}");
        }

        if (root is not JsonObject scenario)
        {
            throw new ScenarioException(file, "(root)", "must be a JSON object");
        }

        foreach (var key in scenario.Select(p => p.Key))
        {
            if (!TopLevelKeys.Contains(key, StringComparer.Ordinal))
            {
                throw new ScenarioException(file, string.IsNullOrWhiteSpace(key) ? $"(root).\"{key}\"" : key, $"unknown field (expected one of {string.Join(", ", TopLevelKeys)})");
            }
        }

        var name = scenario["name"] is JsonValue n && n.TryGetValue<string>(out var s) ? s : Path.GetFileNameWithoutExtension(file);
        var start = ReadInstant(scenario["start"], file, "start") ?? throw new ScenarioException(file, "start", "is required (ISO 8601 instant, e.g. 2026-11-25T10:00:00Z)");
        var settings = ReadSettings(scenario["settings"], file);
        var skus = ReadObjects(scenario["skus"], file, "skus");
        var scaleSets = ReadObjects(scenario["scaleSets"], file, "scaleSets");
        for (var i = 0; i < scaleSets.Count; i++)
        {
            RequireScaleSetId(scaleSets[i]["id"], file, $"scaleSets[{i}].id");
        }

        var steps = ReadSteps(scenario["steps"], file, start);
        return new Scenario(name, start, settings, skus, scaleSets, steps);
    }

    private static Dictionary<string, string> ReadSettings(JsonNode? node, string file)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (node is null)
        {
            return settings;
        }

        if (node is not JsonObject obj)
        {
            throw new ScenarioException(file, "settings", "must be an object of setting keys to values");
        }

        foreach (var (key, value) in obj)
        {
            if (!KnownSettings.IsKnown(key))
            {
                throw new ScenarioException(file, $"settings.{key}", $"unknown setting (known: {string.Join(", ", KnownSettings.Keys)})");
            }

            // An environment-style key (Section__Key) means the same setting: configuration from a dictionary only
            // reads Section:Key, so it is written that way (else it would be accepted here and then silently ignored).
            settings[key.Replace("__", ":", StringComparison.Ordinal)] = value switch
            {
                JsonValue v when v.TryGetValue<string>(out var text) => text,
                JsonValue v when v.TryGetValue<bool>(out var flag) => flag ? "true" : "false",
                JsonValue v when v.TryGetValue<double>(out var number) => number.ToString(CultureInfo.InvariantCulture),
                JsonArray a => string.Join(",", a.Select(x => x?.ToString())),
                _ => throw new ScenarioException(file, $"settings.{key}", "must be a string, a number, a boolean or an array of strings"),
            };
        }

        return settings;
    }

    private static List<JsonObject> ReadObjects(JsonNode? node, string file, string field)
    {
        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray array)
        {
            throw new ScenarioException(file, field, "must be an array");
        }

        var list = new List<JsonObject>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            list.Add(array[i] as JsonObject ?? throw new ScenarioException(file, $"{field}[{i}]", "must be an object"));
        }

        return list;
    }

    private static List<ScenarioStep> ReadSteps(JsonNode? node, string file, DateTimeOffset start)
    {
        var steps = new List<ScenarioStep>();
        if (node is null)
        {
            return steps;
        }

        if (node is not JsonArray array)
        {
            throw new ScenarioException(file, "steps", "must be an array");
        }

        var clock = start;
        for (var i = 0; i < array.Count; i++)
        {
            var place = $"steps[{i}]";
            if (array[i] is not JsonObject step)
            {
                throw new ScenarioException(file, place, "must be an object");
            }

            var at = ReadInstant(step["at"], file, $"{place}.at");
            if (at is { } instant)
            {
                if (instant < clock)
                {
                    throw new ScenarioException(file, $"{place}.at", $"moves the clock back ({instant:O} is before {clock:O}); time only moves forward");
                }

                clock = instant;
            }
            else
            {
                clock = clock.AddSeconds(1);
            }

            var kinds = step.Select(p => p.Key).Where(k => k != "at").ToList();
            if (kinds.Count != 1 || !StepKinds.Contains(kinds[0], StringComparer.Ordinal))
            {
                throw new ScenarioException(file, place, $"must have exactly one of {string.Join(", ", StepKinds)} (plus an optional at); found: {(kinds.Count == 0 ? "none" : string.Join(", ", kinds))}");
            }

            var kind = kinds[0];
            var body = step[kind];
            steps.Add(kind switch
            {
                "azure" => ReadAzureStep(body, file, $"{place}.azure", i, at),
                "event" => ReadEventStep(body, file, $"{place}.event", i, at),
                "audit" => body is JsonObject ? new AuditStep(i, at) : throw new ScenarioException(file, $"{place}.audit", "must be an object ({})"),
                "tick" => body is JsonObject { Count: 0 } ? new TickStep(i, at) : throw new ScenarioException(file, $"{place}.tick", "must be an empty object ({})"),
                _ => ReadHttpStep(body, file, $"{place}.http", i, at),
            });
        }

        return steps;
    }

    private static ScenarioStep ReadAzureStep(JsonNode? node, string file, string place, int index, DateTimeOffset? at)
    {
        if (node is not JsonObject azure || azure.Count != 1)
        {
            throw new ScenarioException(file, place, "must be an object with exactly one of put, delete, failedWrite, fault, failNextOperation");
        }

        var (action, value) = azure.First();
        switch (action)
        {
            case "put":
                var scaleSet = value as JsonObject ?? throw new ScenarioException(file, $"{place}.put", "must be a scale set object as ARM's GET returns it");
                RequireScaleSetId(scaleSet["id"], file, $"{place}.put.id");
                return new AzurePutStep(index, at, scaleSet);
            case "delete":
                return new AzureDeleteStep(index, at, RequireScaleSetId(value, file, $"{place}.delete"));
            case "failedWrite":
                if (value is not JsonObject failed)
                {
                    throw new ScenarioException(file, $"{place}.failedWrite", "must be an object with resourceId, correlationId, requestBody and error");
                }

                var resourceId = RequireScaleSetId(failed["resourceId"], file, $"{place}.failedWrite.resourceId");
                var correlationId = RequireString(failed["correlationId"], file, $"{place}.failedWrite.correlationId");
                if (failed["error"] is not JsonObject error)
                {
                    throw new ScenarioException(file, $"{place}.failedWrite.error", "is required: {\"code\": \"...\", \"message\": \"...\"}");
                }

                return new AzureFailedWriteStep(index, at, resourceId, correlationId, failed["requestBody"]?.DeepClone(),
                    RequireString(error["code"], file, $"{place}.failedWrite.error.code"),
                    error["message"] is JsonValue m && m.TryGetValue<string>(out var message) ? message : string.Empty);
            case "fault":
                return ReadFault(value, file, $"{place}.fault", index, at);
            case "failNextOperation":
                if (value is not JsonObject next || next["error"] is not JsonObject nextError)
                {
                    throw new ScenarioException(file, $"{place}.failNextOperation", "must be an object with resourceId and error: {\"code\": \"...\", \"message\": \"...\"}");
                }

                return new AzureFailNextOperationStep(index, at,
                    RequireScaleSetId(next["resourceId"], file, $"{place}.failNextOperation.resourceId"),
                    RequireString(nextError["code"], file, $"{place}.failNextOperation.error.code"),
                    nextError["message"] is JsonValue nm && nm.TryGetValue<string>(out var nextMessage) ? nextMessage : string.Empty);
            default:
                throw new ScenarioException(file, $"{place}.{action}", "unknown azure action (expected put, delete, failedWrite, fault or failNextOperation)");
        }
    }

    private static AzureFaultStep ReadFault(JsonNode? node, string file, string place, int index, DateTimeOffset? at)
    {
        if (node is not JsonObject fault)
        {
            throw new ScenarioException(file, place, "must be an object with call, status and optional times, retryAfterSeconds, code");
        }

        foreach (var key in fault.Select(p => p.Key))
        {
            if (key is not ("call" or "status" or "times" or "retryAfterSeconds" or "code"))
            {
                throw new ScenarioException(file, $"{place}.{key}", "unknown field (expected call, status, times, retryAfterSeconds, code)");
            }
        }

        var call = RequireString(fault["call"], file, $"{place}.call");
        if (!FaultKinds.TryGetValue(call, out var kind))
        {
            throw new ScenarioException(file, $"{place}.call", $"unknown call kind '{call}' (expected one of {string.Join(", ", FaultKinds.Keys)})");
        }

        var status = RequireInt(fault["status"], file, $"{place}.status", 400, 599);
        var times = fault["times"] is null ? 1 : RequireInt(fault["times"], file, $"{place}.times", 1, 1000);
        TimeSpan? retryAfter = fault["retryAfterSeconds"] is null ? null : TimeSpan.FromSeconds(RequireInt(fault["retryAfterSeconds"], file, $"{place}.retryAfterSeconds", 0, 86_400));
        var code = fault["code"] is null ? null : RequireString(fault["code"], file, $"{place}.code");
        return new AzureFaultStep(index, at, kind, status, times, retryAfter, code);
    }

    private static int RequireInt(JsonNode? node, string file, string place, int min, int max) =>
        node is JsonValue v && v.TryGetValue<int>(out var n) && n >= min && n <= max
            ? n
            : throw new ScenarioException(file, place, $"must be a whole number from {min} to {max}");

    private static EventStep ReadEventStep(JsonNode? node, string file, string place, int index, DateTimeOffset? at) => node switch
    {
        JsonObject or JsonArray => new EventStep(index, at, node.ToJsonString()),
        _ => throw new ScenarioException(file, place, "must be an event object or an array of events"),
    };

    private static HttpStep ReadHttpStep(JsonNode? node, string file, string place, int index, DateTimeOffset? at)
    {
        if (node is not JsonObject http)
        {
            throw new ScenarioException(file, place, "must be an object with method, path and an optional body");
        }

        var method = RequireString(http["method"], file, $"{place}.method").ToUpperInvariant();
        var path = RequireString(http["path"], file, $"{place}.path");
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
        {
            throw new ScenarioException(file, $"{place}.path", "must start with /api/");
        }

        return new HttpStep(index, at, method, path, http["body"]?.DeepClone());
    }

    private static string RequireScaleSetId(JsonNode? node, string file, string place)
    {
        var value = RequireString(node, file, place);
        if (!ScaleSetId.TryParse(value, out _, out var error))
        {
            throw new ScenarioException(file, place, error);
        }

        return value;
    }

    private static string RequireString(JsonNode? node, string file, string place) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)
            ? s
            : throw new ScenarioException(file, place, "is required and must be a non-empty string");

    private static DateTimeOffset? ReadInstant(JsonNode? node, string file, string place)
    {
        if (node is null)
        {
            return null;
        }

        var text = RequireString(node, file, place);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant)
            ? instant
            : throw new ScenarioException(file, place, $"'{text}' is not an ISO 8601 instant");
    }
}
