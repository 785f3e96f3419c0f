using System.Text.RegularExpressions;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>The <c>State:TablePrefix</c> every table name of the app starts with.</summary>
internal static partial class TablePrefix
{
    /// <summary>Returns <paramref name="prefix"/> when it is valid (a letter, then at most 19 letters or digits); throws otherwise.</summary>
    public static string Validate(string? prefix, string paramName)
    {
        if (prefix is null || !Pattern().IsMatch(prefix))
        {
            throw new ArgumentException(
                $"State:TablePrefix '{prefix}' must start with a letter and hold at most 20 letters or digits", paramName);
        }

        return prefix;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{0,19}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
