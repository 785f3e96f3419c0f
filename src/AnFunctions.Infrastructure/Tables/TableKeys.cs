using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Infrastructure.Tables;

/// <summary>
/// PartitionKey and RowKey values. Table Storage forbids <c>/ \ # ?</c> and control characters in keys and caps a key
/// at 1 KiB: values are percent-escaped (<c>%</c> is allowed), and an escaped value longer than
/// <see cref="MaxReadableKeyLength"/> is replaced by <c>~</c> + its SHA-256 (escaping never yields <c>~</c> first, so
/// the two forms cannot collide). Keys are never parsed back: every entity also holds the original values.
/// </summary>
internal static class TableKeys
{
    /// <summary>512 UTF-16 chars = 1 KiB.</summary>
    public const int MaxReadableKeyLength = 512;

    public static string Escape(string value)
    {
        var escaped = Uri.EscapeDataString(value);
        return escaped.Length <= MaxReadableKeyLength && !escaped.StartsWith('~')
            ? escaped
            : "~" + Sha256Hex(value);
    }

    /// <summary>Pools: the subscription id (lower-case GUID).</summary>
    public static string PoolPartition(ScaleSetId id) => id.SubscriptionId;

    /// <summary>Pools: <c>resourcegroup/name</c>, lower-cased and escaped.</summary>
    public static string PoolRow(ScaleSetId id) => Escape($"{id.ResourceGroup}/{id.Name}".ToLowerInvariant());

    /// <summary>Processed events: the first two hex digits of SHA-256(event id), to spread the load over 256 partitions.</summary>
    public static string EventPartition(string eventId) => Sha256Hex(eventId)[..2];

    public static string EventRow(string eventId) => Escape(eventId);

    /// <summary>Decisions: the pool's lower-cased id, escaped.</summary>
    public static string DecisionPartition(ScaleSetId id) => Escape(id.Key);

    /// <summary>
    /// Decisions: inverted ticks (19 digits) so that the newest sorts first, then a random suffix so that two
    /// decisions in the same tick do not collide.
    /// </summary>
    public static string DecisionRow(DateTimeOffset at, string suffix) =>
        (DateTime.MaxValue.Ticks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + suffix;

    /// <summary>Rejected events: the UTC day, so that old ones can be dropped a partition at a time.</summary>
    public static string RejectedPartition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string RejectedRow(string eventId, string suffix) => Escape(eventId) + "-" + suffix;

    /// <summary>12 random hex digits.</summary>
    public static string NewSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
