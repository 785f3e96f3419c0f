namespace AnFunctions.Api;

/// <summary>Values from a request, made safe to log or echo: control characters (CR, LF...) replaced, length capped.</summary>
public static class LogValues
{
    public const int MaxLength = 256;

    public static string Safe(string? value, int maxLength = MaxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var clipped = value.Length > maxLength ? value[..maxLength] : value;
        var chars = clipped.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? '?' : c).ToArray();
        return new string(chars) + (value.Length > maxLength ? "…" : string.Empty);
    }
}
