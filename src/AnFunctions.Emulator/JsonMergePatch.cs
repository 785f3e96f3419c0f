using System.Text.Json.Nodes;

namespace AnFunctions.Emulator;

/// <summary>
/// JSON merge patch as ARM applies a PATCH body (RFC 7386): objects merge recursively, arrays and scalars replace,
/// <c>null</c> removes. Property names match case-insensitively, as ARM's do; the target keeps its own spelling.
/// </summary>
public static class JsonMergePatch
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="target"/> in place. The patch is not modified.</summary>
    public static void Apply(JsonObject target, JsonObject patch)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(patch);

        foreach (var (name, patchValue) in patch)
        {
            var targetName = FindPropertyName(target, name);
            if (patchValue is null)
            {
                if (targetName is not null)
                {
                    target.Remove(targetName);
                }

                continue;
            }

            if (patchValue is JsonObject patchObject
                && targetName is not null
                && target[targetName] is JsonObject targetObject)
            {
                Apply(targetObject, patchObject);
                continue;
            }

            var replacement = patchValue is JsonObject newObject ? WithoutNulls(newObject) : patchValue.DeepClone();
            target[targetName ?? name] = replacement;
        }
    }

    /// <summary>The name of <paramref name="target"/>'s property that matches <paramref name="name"/>, exactly or ignoring case.</summary>
    internal static string? FindPropertyName(JsonObject target, string name)
    {
        if (target.ContainsKey(name))
        {
            return name;
        }

        foreach (var (existing, _) in target)
        {
            if (string.Equals(existing, name, StringComparison.OrdinalIgnoreCase))
            {
                return existing;
            }
        }

        return null;
    }

    // RFC 7386: a patch object merged into a non-object target is applied to {}, so its null members vanish.
    private static JsonObject WithoutNulls(JsonObject patch)
    {
        var result = new JsonObject();
        Apply(result, patch);
        return result;
    }
}
