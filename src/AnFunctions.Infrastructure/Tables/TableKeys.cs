using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using Azure.Data.Tables;

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

    public static string Escape(string value) => EscapeWithin(value, MaxReadableKeyLength);

    /// <summary>
    /// <see cref="Escape(string)"/> for a part of a key that also holds fixed text: the escaped value is kept readable up
    /// to <paramref name="maxLength"/> chars (<see cref="MaxReadableKeyLength"/> minus the length of the rest of the key),
    /// and hashed beyond (the hash form is 65 chars).
    /// </summary>
    public static string EscapeWithin(string value, int maxLength)
    {
        var escaped = Uri.EscapeDataString(value);
        return escaped.Length <= maxLength && !escaped.StartsWith('~')
            ? escaped
            : "~" + Sha256Hex(value);
    }

    /// <summary>Pools: the subscription id (lower-case GUID).</summary>
    public static string PoolPartition(ScaleSetId id) => id.SubscriptionId;

    /// <summary>Pools: <c>resourcegroup/name</c>, lower-cased and escaped.</summary>
    public static string PoolRow(ScaleSetId id) => Escape($"{id.ResourceGroup}/{id.Name}".ToLowerInvariant());

    /// <summary>
    /// Pool rows are escaped text (<c>%</c> and the unreserved characters <c>- . 0-9 _ a-z ~</c>) or <c>~</c> + hash: they
    /// all sort at or after <c>%</c>. The other rows of a subscription's partition in the pools table (the pools'
    /// decisions, <see cref="PoolDecisionRowPrefix"/>, and the marks of handled events, <see cref="ProcessedRowPrefix"/>)
    /// start with <c>$</c>, which sorts before: "the pool records of a subscription" is <c>RowKey ge '%'</c>.
    /// </summary>
    public const string PoolRowsFrom = "%";

    /// <summary>Decision rows in the pools table: <c>$d|{pool part}|{inverted ticks}-{suffix}</c>.</summary>
    public const string PoolDecisionRowPrefix = "$d|";

    /// <summary>Handled-event rows in the pools table: <c>$e|{escaped event id}</c>.</summary>
    public const string ProcessedRowPrefix = "$e|";

    /// <summary>The row keys of one pool's decisions start with this; they sort newest first.</summary>
    public static string PoolDecisionRowsOf(ScaleSetId id) => PoolDecisionRowPrefix + FindingPoolPart(id) + "|";

    /// <summary>
    /// A decision, in its pool's subscription partition of the pools table (so it is written in the same entity-group
    /// transaction as the record, and a subscription's decisions share transactions).
    /// </summary>
    public static string PoolDecisionRow(ScaleSetId id, DateTimeOffset at, string suffix) => PoolDecisionRowsOf(id) + DecisionRow(at, suffix);

    /// <summary>The mark of a handled event, in the partition of the pool it is about.</summary>
    public static string ProcessedRow(string eventId) => ProcessedRowPrefix + EscapeWithin(eventId, MaxReadableKeyLength - ProcessedRowPrefix.Length);

    /// <summary>Processed events whose subject names no scale set (events table): the first two hex digits of SHA-256(event id), to spread the load over 256 partitions.</summary>
    public static string EventPartition(string eventId) => Sha256Hex(eventId)[..2];

    public static string EventRow(string eventId) => Escape(eventId);

    /// <summary>Decisions layout 1 (the decisions table, read and pruned until empty): the pool's lower-cased id, escaped.</summary>
    public static string DecisionPartition(ScaleSetId id) => Escape(id.Key);

    /// <summary>
    /// Findings and their outbox entries (layout 2): the pool's subscription id, as for pool records, so that a
    /// subscription's findings are one partition query and a finding still shares a partition (and so a transaction)
    /// with its outbox entries.
    /// </summary>
    public static string FindingPartition(ScaleSetId id) => id.SubscriptionId;

    /// <summary>Row keys of findings start with this; the pool part, <c>|</c> and the kind follow.</summary>
    public const string FindingRowPrefix = "finding|";

    /// <summary>Row keys of outbox entries start with this; the pool part, <c>|</c> and the escaped entry id follow.</summary>
    public const string OutboxRowPrefix = "outbox|";

    /// <summary>
    /// The longest readable pool part of a finding or outbox row key (<c>resourcegroup/name</c> lower-cased and
    /// escaped); longer ones are hashed, which leaves room for the prefix and the kind or entry id in 1 KiB.
    /// </summary>
    public const int MaxPoolPartLength = 300;

    /// <summary>
    /// The pool's part of its finding and outbox row keys. Escaping never yields <c>|</c>, and a hashed part is
    /// <c>~</c> + hex: <c>|</c> after it always ends the pool part, so one pool's prefix never covers another's.
    /// </summary>
    public static string FindingPoolPart(ScaleSetId id) => EscapeWithin($"{id.ResourceGroup}/{id.Name}".ToLowerInvariant(), MaxPoolPartLength);

    /// <summary>A pool has at most one finding of a kind: <c>finding|{pool part}|{kind}</c>.</summary>
    public static string FindingRow(ScaleSetId id, FindingKind kind) => FindingRowPrefix + FindingPoolPart(id) + "|" + kind;

    /// <summary>The row keys of one pool's findings start with this.</summary>
    public static string FindingRowsOf(ScaleSetId id) => FindingRowPrefix + FindingPoolPart(id) + "|";

    /// <summary>
    /// <c>outbox|{pool part}|{escaped id}</c>. Entry ids begin with their creation ticks, so the rows of a pool sort
    /// oldest first (an id escaped into its hash form does not; readers sort by the <c>Id</c> column).
    /// </summary>
    public static string OutboxRow(ScaleSetId id, string entryId)
    {
        var prefix = OutboxRowPrefix + FindingPoolPart(id) + "|";
        return prefix + EscapeWithin(entryId, MaxReadableKeyLength - prefix.Length);
    }

    /// <summary>Findings layout 1 (before the subscription partitions): partition = the pool's escaped key, rows <c>finding~{kind}</c> and <c>outbox~{id}</c>.</summary>
    public static class LegacyFindings
    {
        public const string FindingRowPrefix = "finding~";
        public const string OutboxRowPrefix = "outbox~";

        public static string Partition(ScaleSetId id) => Escape(id.Key);

        public static string FindingRow(FindingKind kind) => FindingRowPrefix + kind;

        public static string OutboxRow(string entryId) => OutboxRowPrefix + EscapeWithin(entryId, MaxReadableKeyLength - OutboxRowPrefix.Length);
    }

    /// <summary>
    /// A filter for the row keys that start with <paramref name="prefix"/>: <c>RowKey ge prefix and RowKey lt next</c>,
    /// where next is the prefix with its last char raised by one (so <c>|</c> becomes <c>}</c> and <c>~</c> becomes
    /// U+007F: every key that starts with the prefix sorts before it).
    /// </summary>
    public static string RowKeyPrefixFilter(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var next = prefix[..^1] + (char)(prefix[^1] + 1);
        return TableClient.CreateQueryFilter($"RowKey ge {prefix} and RowKey lt {next}");
    }

    /// <summary>
    /// Decisions: inverted ticks (19 digits) so that the newest sorts first, then a random suffix so that two
    /// decisions in the same tick do not collide.
    /// </summary>
    public static string DecisionRow(DateTimeOffset at, string suffix) =>
        (DateTime.MaxValue.Ticks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + suffix;

    /// <summary>Rejected events: the UTC day, so that old ones can be dropped a partition at a time.</summary>
    public static string RejectedPartition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string RejectedRow(string eventId, string suffix) =>
        EscapeWithin(eventId, MaxReadableKeyLength - 1 - suffix.Length) + "-" + suffix;

    /// <summary>12 random hex digits.</summary>
    public static string NewSuffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
