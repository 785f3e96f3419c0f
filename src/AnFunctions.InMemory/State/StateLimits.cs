using System.Globalization;
using AnFunctions.Core.State;

namespace AnFunctions.InMemory.State;

/// <summary>
/// Length limits every <see cref="IStateStore"/> applies, so that the in-memory store and the Table store keep the same
/// text. Azure Table Storage holds at most 64 KiB (32 K UTF-16 chars) per string property and 1 MiB per entity:
/// <list type="bullet">
/// <item><see cref="DecisionRecord.WriteBody"/> (the ARM body sent, which answers "what exactly did the app write?") is
/// kept whole up to <see cref="MaxWriteBodyLength"/> characters: the Table store splits it over several columns.</item>
/// <item>Other free text (explanations, reasons, excerpts, subjects...) is kept up to <see cref="MaxTextLength"/>.</item>
/// </list>
/// Longer text is cut and ends with a marker that says so and how long the original was (see <see cref="Truncate"/>).
/// </summary>
public static class StateLimits
{
    /// <summary>Longest free-text value kept (fits one Table string property).</summary>
    public const int MaxTextLength = 32_000;

    /// <summary>Longest <see cref="DecisionRecord.WriteBody"/> kept whole (512 KiB in UTF-16, half a Table entity).</summary>
    public const int MaxWriteBodyLength = 256_000;

    /// <summary>How a truncated value ends: <c>…[truncated: N of M chars kept]</c>.</summary>
    public const string TruncationMarkerStart = "…[truncated: ";

    /// <summary>
    /// The value when it is at most <paramref name="maxLength"/> characters long; otherwise its beginning followed by
    /// a marker, <paramref name="maxLength"/> characters or fewer in all. Never splits a surrogate pair.
    /// </summary>
    public static string Truncate(string value, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 64);
        if (value.Length <= maxLength)
        {
            return value;
        }

        // The marker's length depends on the kept count; reserve room for the largest one.
        var reserve = Marker(maxLength, value.Length).Length;
        var keep = maxLength - reserve;
        if (char.IsHighSurrogate(value[keep - 1]))
        {
            keep--;
        }

        return string.Concat(value.AsSpan(0, keep), Marker(keep, value.Length));
    }

    /// <inheritdoc cref="Truncate(string, int)"/>
    public static string? TruncateOrNull(string? value, int maxLength) => value is null ? null : Truncate(value, maxLength);

    private static string Marker(int kept, int total) =>
        string.Create(CultureInfo.InvariantCulture, $"{TruncationMarkerStart}{kept} of {total} chars kept]");
}
