using System.Diagnostics.CodeAnalysis;

namespace AnFunctions.Core.ScaleSets;

/// <summary>
/// The ARM id of a virtual machine scale set. Parsed strictly: exactly
/// <c>/subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}</c>,
/// nothing before or after it. Compares case-insensitively, as ARM does.
/// </summary>
public sealed class ScaleSetId : IEquatable<ScaleSetId>
{
    public const string ResourceType = "Microsoft.Compute/virtualMachineScaleSets";
    private const int MaxLength = 1024;

    private ScaleSetId(string subscriptionId, string resourceGroup, string name)
    {
        SubscriptionId = subscriptionId.ToLowerInvariant();
        ResourceGroup = resourceGroup;
        Name = name;
        Value = $"/subscriptions/{SubscriptionId}/resourceGroups/{resourceGroup}/providers/{ResourceType}/{name}";
        Key = Value.ToLowerInvariant();
    }

    public string SubscriptionId { get; }
    public string ResourceGroup { get; }
    public string Name { get; }

    /// <summary>The canonical id, with the subscription id lower-cased and the names as given.</summary>
    public string Value { get; }

    /// <summary>The id lower-cased: the identity used for storage keys and comparisons.</summary>
    public string Key { get; }

    public static ScaleSetId Create(string subscriptionId, string resourceGroup, string name) =>
        Parse($"/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/{ResourceType}/{name}");

    public static ScaleSetId Parse(string value) =>
        TryParse(value, out var id, out var error) ? id : throw new FormatException(error);

    public static bool TryParse(string? value, [NotNullWhen(true)] out ScaleSetId? id, [NotNullWhen(false)] out string? error)
    {
        id = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "the resource id is empty";
            return false;
        }

        if (value.Length > MaxLength)
        {
            error = $"the resource id is longer than {MaxLength} characters";
            return false;
        }

        if (value.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '?' or '#' or '\\' or '%'))
        {
            error = "the resource id contains a character that ARM ids never contain";
            return false;
        }

        var parts = value.Split('/');
        // "" subscriptions {sub} resourceGroups {rg} providers Microsoft.Compute virtualMachineScaleSets {name}
        if (parts.Length != 9 || parts[0].Length != 0
            || !parts[1].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            || !parts[3].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase)
            || !parts[5].Equals("providers", StringComparison.OrdinalIgnoreCase)
            || !parts[6].Equals("Microsoft.Compute", StringComparison.OrdinalIgnoreCase)
            || !parts[7].Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{Truncate(value)}' is not a virtual machine scale set id (/subscriptions/{{id}}/resourceGroups/{{rg}}/providers/{ResourceType}/{{name}})";
            return false;
        }

        if (!Guid.TryParseExact(parts[2], "D", out _))
        {
            error = "the subscription id in the resource id is not a GUID";
            return false;
        }

        if (!IsValidName(parts[4], 90) || !IsValidName(parts[8], 80))
        {
            error = "the resource group or scale set name in the resource id is not a valid ARM name";
            return false;
        }

        id = new ScaleSetId(parts[2], parts[4], parts[8]);
        error = null;
        return true;
    }

    private static bool IsValidName(string name, int maxLength) =>
        name.Length > 0 && name.Length <= maxLength && name is not "." and not ".."
        && name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '(' or ')');

    private static string Truncate(string value) => value.Length <= 200 ? value : value[..200] + "…";

    public bool Equals(ScaleSetId? other) => other is not null && Key == other.Key;

    public override bool Equals(object? obj) => obj is ScaleSetId other && Equals(other);

    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);

    public override string ToString() => Value;

    public static bool operator ==(ScaleSetId? left, ScaleSetId? right) => Equals(left, right);

    public static bool operator !=(ScaleSetId? left, ScaleSetId? right) => !Equals(left, right);
}
