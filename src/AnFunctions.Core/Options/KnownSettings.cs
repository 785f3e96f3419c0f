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
        (AlertsOptions.Section, typeof(AlertsOptions)),
        (Audit.AuditOptions.Section, typeof(Audit.AuditOptions)),
    ];

    public static IReadOnlyList<string> Keys { get; } = Sections
        .SelectMany(s => KeysOf(s.Section, s.Type))
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Settable properties as keys; nested option classes (same namespace) become <c>Section:Nested:Property</c>.</summary>
    private static IEnumerable<string> KeysOf(string prefix, Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.SetMethod!.IsPublic)
            .SelectMany(p => p.PropertyType.IsClass && p.PropertyType.Namespace == typeof(KnownSettings).Namespace && p.PropertyType != typeof(string)
                ? KeysOf($"{prefix}:{p.Name}", p.PropertyType)
                : [$"{prefix}:{p.Name}"]);

    public static bool IsKnown(string key) => Keys.Contains(key.Replace("__", ":", StringComparison.Ordinal), StringComparer.OrdinalIgnoreCase);
}
