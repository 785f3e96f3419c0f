namespace AnFunctions.Api.Auth;

/// <summary>
/// The app role a route needs (declared on its <see cref="ApiRoute"/>). <see cref="Reader"/> routes only read;
/// <see cref="Operator"/> routes can write to ARM or start work. An operator may also call every reader route.
/// </summary>
public enum ApiRole
{
    Reader,
    Operator,
}

/// <summary>
/// The app roles' values, as defined on the app registration (<c>infra/app/app-roles.json</c>) and sent by the platform
/// in the caller's <c>roles</c> claim.
/// </summary>
public static class ApiRoles
{
    public const string ReaderValue = "AnFunctions.Reader";
    public const string OperatorValue = "AnFunctions.Operator";

    /// <summary>The claim value that grants <paramref name="role"/>.</summary>
    public static string Value(ApiRole role) => role switch
    {
        ApiRole.Reader => ReaderValue,
        ApiRole.Operator => OperatorValue,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role"),
    };

    /// <summary>True when a caller holding <paramref name="values"/> may call a route that needs <paramref name="needed"/>.</summary>
    public static bool Grants(IEnumerable<string> values, ApiRole needed)
    {
        ArgumentNullException.ThrowIfNull(values);
        var held = values.ToHashSet(StringComparer.Ordinal);
        return held.Contains(OperatorValue) || (needed == ApiRole.Reader && held.Contains(ReaderValue));
    }
}
