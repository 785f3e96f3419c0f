namespace AnFunctions.Emulator;

/// <summary>HTTP conditional headers (<c>If-Match</c>, <c>If-None-Match</c>) against a resource's current ETag.</summary>
internal static class ETagConditions
{
    /// <summary>True when the write may proceed under <c>If-Match</c>. <paramref name="current"/> is null when the resource does not exist.</summary>
    public static bool IfMatchSatisfied(string? ifMatch, string? current)
    {
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return true;
        }

        if (current is null)
        {
            return false;
        }

        return ifMatch.Trim() == "*" || Contains(ifMatch, current);
    }

    /// <summary>True when the write may proceed under <c>If-None-Match</c>.</summary>
    public static bool IfNoneMatchSatisfied(string? ifNoneMatch, string? current)
    {
        if (string.IsNullOrWhiteSpace(ifNoneMatch) || current is null)
        {
            return true;
        }

        return ifNoneMatch.Trim() != "*" && !Contains(ifNoneMatch, current);
    }

    private static bool Contains(string headerValue, string current)
    {
        var wanted = Normalize(current);
        foreach (var candidate in headerValue.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Normalize(candidate) == wanted)
            {
                return true;
            }
        }

        return false;
    }

    // Weak and strong forms compare equal here, and a value sent without quotes matches the quoted one.
    private static string Normalize(string etag)
    {
        var value = etag.Trim();
        if (value.StartsWith("W/", StringComparison.Ordinal))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }
}
