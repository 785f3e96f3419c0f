using System.Globalization;
using System.Text.Json;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Infrastructure.Compute;

/// <summary>A scale set ARM answered whose JSON lacks (or mistypes) a field the app's decisions need.</summary>
public sealed class ScaleSetFormatException : FormatException
{
    public ScaleSetFormatException(string field, string problem)
        : base($"{field} {problem}")
    {
        Field = field;
    }

    public ScaleSetFormatException()
    {
    }

    public ScaleSetFormatException(string message)
        : base(message)
    {
    }

    public ScaleSetFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The JSON path of the field, e.g. <c>properties.timeCreated</c>.</summary>
    public string? Field { get; }
}

/// <summary>
/// Reads what the decisions need of a scale set from ARM's JSON as it came: id, location, sku and
/// <c>skuProfile</c>, capacity, <c>timeCreated</c>, tags, the NIC configurations, provisioning state, orchestration
/// mode, upgrade policy and the ETag. Nothing else is read, so a field the app does not use can hold any value
/// (the SDK 1.2.0's model refuses some that ARM and its own examples send, e.g. a <c>{placeholder}</c> in
/// <c>osDisk.image.uri</c> or a <c>certificateUrl</c> that is no URL). A field the app needs that is missing or of the
/// wrong kind throws <see cref="ScaleSetFormatException"/> naming it.
/// </summary>
public static class ScaleSetConverter
{
    public static ScaleSetSnapshot ToSnapshot(JsonElement raw, string? etagHeader = null)
    {
        if (raw.ValueKind != JsonValueKind.Object)
        {
            throw new ScaleSetFormatException("(the resource)", $"is a JSON {raw.ValueKind}, not an object");
        }

        var idText = RequiredString(raw, "id");
        if (!ScaleSetId.TryParse(idText, out var id, out var idError))
        {
            throw new ScaleSetFormatException("id", $"'{Cut(idText)}' is not a scale set id: {idError}");
        }

        var location = RequiredString(raw, "location");
        TryGet(raw, out var sku, "sku");
        var skuName = sku.ValueKind == JsonValueKind.Object ? OptionalString(sku, "name", "sku.name") ?? string.Empty : string.Empty;
        TryGet(raw, out var properties, "properties");

        return new ScaleSetSnapshot
        {
            Id = id,
            // ARM's canonical region name (a display name such as "West Europe" is read as "westeurope").
            Location = location.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant(),
            SkuName = skuName,
            VmSizes = VmSizes(skuName, raw),
            Capacity = sku.ValueKind == JsonValueKind.Object ? OptionalInt64(sku, "capacity", "sku.capacity") : null,
            TimeCreated = TimeCreated(properties),
            Tags = Tags(raw),
            NetworkInterfaces = NetworkInterfaces(raw),
            ProvisioningState = properties.ValueKind == JsonValueKind.Object ? OptionalString(properties, "provisioningState", "properties.provisioningState") : null,
            OrchestrationMode = properties.ValueKind == JsonValueKind.Object ? OptionalString(properties, "orchestrationMode", "properties.orchestrationMode") : null,
            UpgradePolicy = UpgradePolicyOf(raw),
            ETag = etagHeader ?? RawString(raw, "etag"),
            RawNetworkInterfaceConfigurations = RawNics(raw),
        };
    }

    /// <summary>The id of a listed item, when it has a readable one (to name an item that cannot be read).</summary>
    public static string? IdOf(JsonElement raw) => RawString(raw, "id");

    private static DateTimeOffset? TimeCreated(JsonElement properties)
    {
        if (properties.ValueKind != JsonValueKind.Object || !TryGetPropertyIgnoreCase(properties, "timeCreated", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        // Whether a pool is new depends on it: a value that is not a date is not read as "unknown".
        return value.ValueKind == JsonValueKind.String
               && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new ScaleSetFormatException("properties.timeCreated", $"{Describe(value)} is not a date");
    }

    private static Dictionary<string, string> Tags(JsonElement raw)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (TryGet(raw, out var value, "tags") && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var tag in value.EnumerateObject())
            {
                tags[tag.Name] = tag.Value.ValueKind == JsonValueKind.String ? tag.Value.GetString()! : tag.Value.GetRawText();
            }
        }

        return tags;
    }

    private static List<NetworkInterfaceConfiguration> NetworkInterfaces(JsonElement raw)
    {
        if (!TryGet(raw, out var nics, "properties", "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations") || nics.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        const string Path = "properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations";
        if (nics.ValueKind != JsonValueKind.Array)
        {
            throw new ScaleSetFormatException(Path, $"is {Describe(nics)}, not an array");
        }

        var list = new List<NetworkInterfaceConfiguration>();
        var index = 0;
        foreach (var nic in nics.EnumerateArray())
        {
            var at = $"{Path}[{index++}]";
            if (nic.ValueKind != JsonValueKind.Object)
            {
                throw new ScaleSetFormatException(at, $"is {Describe(nic)}, not an object");
            }

            var name = OptionalString(nic, "name", at + ".name") ?? throw new ScaleSetFormatException(at + ".name", "is missing");
            TryGet(nic, out var nicProperties, "properties");
            var primary = nicProperties.ValueKind == JsonValueKind.Object ? OptionalBoolean(nicProperties, "primary", at + ".properties.primary") : null;
            var an = nicProperties.ValueKind == JsonValueKind.Object ? OptionalBoolean(nicProperties, "enableAcceleratedNetworking", at + ".properties.enableAcceleratedNetworking") : null;
            list.Add(new NetworkInterfaceConfiguration(name, primary ?? false, an));
        }

        return list;
    }

    private static string RequiredString(JsonElement parent, string name) =>
        OptionalString(parent, name, name) is { Length: > 0 } value ? value : throw new ScaleSetFormatException(name, "is missing or empty");

    private static string? OptionalString(JsonElement parent, string name, string path)
    {
        if (!TryGetPropertyIgnoreCase(parent, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new ScaleSetFormatException(path, $"is {Describe(value)}, not a string");
    }

    private static bool? OptionalBoolean(JsonElement parent, string name, string path)
    {
        if (!TryGetPropertyIgnoreCase(parent, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ScaleSetFormatException(path, $"is {Describe(value)}, not true or false"),
        };
    }

    private static long? OptionalInt64(JsonElement parent, string name, string path)
    {
        if (!TryGetPropertyIgnoreCase(parent, name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new ScaleSetFormatException(path, $"is {Describe(value)}, not a whole number");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"'{Cut(value.GetString() ?? string.Empty)}'",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => Cut(value.GetRawText()),
    };

    private static string Cut(string text) => text.Length <= 80 ? text : text[..80] + "…";

    /// <summary><c>sku.name</c>, or for a scale set with a <c>skuProfile</c> every size it lists.</summary>
    private static IReadOnlyList<string> VmSizes(string skuName, JsonElement raw)
    {
        if (TryGet(raw, out var vmSizes, "properties", "skuProfile", "vmSizes") && vmSizes.ValueKind == JsonValueKind.Array)
        {
            var sizes = vmSizes.EnumerateArray()
                .Select(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("name", out var n) ? n.GetString() : null)
                .OfType<string>()
                .Where(s => s.Length > 0)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (sizes.Count > 0)
            {
                return sizes;
            }
        }

        return skuName.Length == 0 || skuName.Equals("Mix", StringComparison.OrdinalIgnoreCase) ? [] : [skuName];
    }

    /// <summary><c>properties.upgradePolicy</c> from the raw JSON: mode, and the rolling batch size when Rolling.</summary>
    private static UpgradePolicy UpgradePolicyOf(JsonElement raw)
    {
        if (!TryGet(raw, out var policy, "properties", "upgradePolicy") || policy.ValueKind != JsonValueKind.Object
            || !TryGet(policy, out var mode, "mode") || mode.ValueKind != JsonValueKind.String)
        {
            return UpgradePolicy.Absent;
        }

        var percent = TryGet(policy, out var value, "rollingUpgradePolicy", "maxBatchInstancePercent") && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out var p) && p is > 0 and <= 100
            ? p
            : UpgradePolicy.DefaultMaxBatchInstancePercent;
        return Enum.TryParse<UpgradeMode>(mode.GetString(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
            ? new UpgradePolicy(parsed, percent)
            // An upgrade mode this app does not know: treated as Automatic, the one that disrupts most.
            : new UpgradePolicy(UpgradeMode.Automatic, percent);
    }

    private static string RawNics(JsonElement raw) =>
        TryGet(raw, out var nics, "properties", "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations")
        && nics.ValueKind == JsonValueKind.Array
            ? nics.GetRawText()
            : "[]";

    private static string? RawString(JsonElement raw, string name) =>
        raw.ValueKind == JsonValueKind.Object && raw.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static bool TryGet(JsonElement element, out JsonElement found, params string[] path)
    {
        found = element;
        foreach (var name in path)
        {
            if (found.ValueKind != JsonValueKind.Object || !TryGetPropertyIgnoreCase(found, name, out found))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryGetPropertyIgnoreCase(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }
}
