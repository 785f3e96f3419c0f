using System.Reflection;

namespace AnFunctions.Core.Options;

/// <summary>
/// The setting keys users may give (app settings, scenario files): every settable property of the option classes,
/// as <c>Section:Property</c>. Derived from the classes, so a new option is known the moment it exists.
/// </summary>
public static class KnownSettings
{
    private static readonly (string Section, Type Type)[] Sections =
    [
        (AcceleratedNetworkingOptions.Section, typeof(AcceleratedNetworkingOptions)),
    ];

    public static IReadOnlyList<string> Keys { get; } = Sections
        .SelectMany(s => s.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .Select(p => $"{s.Section}:{p.Name}"))
        .Order(StringComparer.Ordinal)
        .ToList();

    public static bool IsKnown(string key) => Keys.Contains(key.Replace("__", ":", StringComparison.Ordinal), StringComparer.OrdinalIgnoreCase);
}
