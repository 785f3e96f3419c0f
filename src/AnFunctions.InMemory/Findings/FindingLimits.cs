using AnFunctions.Core.Findings;
using AnFunctions.InMemory.State;

namespace AnFunctions.InMemory.Findings;

/// <summary>
/// The limits and checks every <see cref="IFindingStore"/> applies, so that the in-memory store and the Table store keep
/// the same data and refuse the same saves. They follow from Azure Table Storage: a string property holds at most
/// 32 K chars, an entity at most 1 MiB, and a transaction (one finding with its outbox entries) at most 100 entities and
/// 4 MiB.
/// <list type="bullet">
/// <item>Text of a finding (<see cref="Finding.Message"/>, <see cref="Finding.Consequence"/>, <see cref="Finding.Remedy"/>,
/// every evidence string) is kept up to <see cref="MaxTextLength"/> chars, each list item up to
/// <see cref="MaxListItemLength"/>, and of each evidence list the last <see cref="MaxListItems"/> items (the newest,
/// as lists are appended to). Longer text is cut with <see cref="StateLimits.Truncate"/>, with its marker.</item>
/// <item>Should the finding's JSON still exceed <see cref="MaxSerializedLength"/> (many long fields, or text that JSON
/// escapes heavily, like control characters), the finding is cut again with tighter limits (2,000/128/50, then
/// 500/64/20 as text/item/items), so a finding and a notification always fit one entity with room to spare.</item>
/// <item>One save holds at most <see cref="MaxOutboxEntriesPerSave"/> outbox entries and at most
/// <see cref="MaxSaveLength"/> chars in all (see <see cref="SavedLength(Finding)"/>): bigger saves are refused with an
/// <see cref="ArgumentException"/> before anything is written.</item>
/// <item>Dates are kept in UTC (the same instant with a zero offset), as Table Storage gives them back.</item>
/// </list>
/// </summary>
public static class FindingLimits
{
    /// <summary>Longest free-text value of a finding kept: a screenful for the person paged at 3 a.m.</summary>
    public const int MaxTextLength = 8_000;

    /// <summary>Longest item of an evidence list (sizes, event ids) kept.</summary>
    public const int MaxListItemLength = 256;

    /// <summary>Most items of one evidence list kept: the last ones.</summary>
    public const int MaxListItems = 100;

    /// <summary>Longest JSON (<see cref="FindingJson"/>) of a finding kept, in chars; a longer one is cut with tighter limits.</summary>
    public const int MaxSerializedLength = 64_000;

    /// <summary>A Table transaction holds at most 100 entities: the finding and 99 outbox entries.</summary>
    public const int MaxOutboxEntriesPerSave = 99;

    /// <summary>
    /// Most chars one save may hold in all (<see cref="SavedLength(Finding)"/> plus <see cref="SavedLength(OutboxEntry)"/>
    /// of each entry). The SDK sends JSON, where one char takes at most 6 bytes (<c>\uXXXX</c>): 640,000 chars stay
    /// under the 4 MiB transaction payload even then. A finding with one notification per sink takes a few thousand.
    /// </summary>
    public const int MaxSaveLength = 640_000;

    /// <summary>Longest <see cref="OutboxEntry.Id"/> accepted (a Table key holds 1 KiB).</summary>
    public const int MaxEntryIdLength = 512;

    /// <summary>Longest <see cref="OutboxEntry.Sink"/> name accepted.</summary>
    public const int MaxSinkLength = 64;

    /// <summary>Room counted per stored entity for the columns that are not text of the record (keys, names, dates).</summary>
    private const int EntityOverhead = 1_000;

    private static readonly Tier[] Tiers = [new(MaxTextLength, MaxListItemLength, MaxListItems), new(2_000, 128, 50), new(500, 64, 20)];

    /// <summary>The finding as a store keeps it: text and lists cut to the limits, dates in UTC, lists copied.</summary>
    public static Finding Normalize(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (finding.Evidence is null)
        {
            throw new ArgumentException($"finding {finding.Id} has no Evidence", nameof(finding));
        }

        var utc = finding with
        {
            FirstSeen = finding.FirstSeen.ToUniversalTime(),
            LastSeen = finding.LastSeen.ToUniversalTime(),
            ResolvedAt = finding.ResolvedAt?.ToUniversalTime(),
            LastNotifiedAt = finding.LastNotifiedAt?.ToUniversalTime(),
        };

        var cut = utc;
        foreach (var tier in Tiers)
        {
            cut = Cut(utc, tier);
            if (FindingJson.Serialize(cut).Length <= MaxSerializedLength)
            {
                break;
            }
        }

        return cut;
    }

    /// <summary>The outbox entry as a store keeps it: its notification's finding normalized, dates in UTC, the error cut.</summary>
    public static OutboxEntry Normalize(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Notification?.Finding is null)
        {
            throw new ArgumentException($"outbox entry {entry.Id} has no notification (with its finding)", nameof(entry));
        }

        return entry with
        {
            Notification = entry.Notification with
            {
                CreatedAt = entry.Notification.CreatedAt.ToUniversalTime(),
                Finding = Normalize(entry.Notification.Finding),
            },
            NextAttemptAt = entry.NextAttemptAt.ToUniversalTime(),
            DeliveredAt = entry.DeliveredAt?.ToUniversalTime(),
            LastError = StateLimits.TruncateOrNull(entry.LastError, MaxTextLength),
        };
    }

    /// <summary>
    /// Checks a save of <paramref name="finding"/> with <paramref name="outbox"/> (both normalized): the finding's id is
    /// <see cref="Finding.IdFor"/> of its pool and kind; every entry is valid (<see cref="ValidateEntry"/>), belongs to
    /// this finding and has an id of its own; and the save fits one Table transaction. Throws
    /// <see cref="ArgumentException"/> otherwise.
    /// </summary>
    public static void ValidateSave(Finding finding, IReadOnlyList<OutboxEntry> outbox)
    {
        ArgumentNullException.ThrowIfNull(finding);
        ArgumentNullException.ThrowIfNull(outbox);
        ValidateId(finding, nameof(finding));
        if (outbox.Count > MaxOutboxEntriesPerSave)
        {
            throw new ArgumentException(
                $"a save holds at most {MaxOutboxEntriesPerSave} outbox entries (one Table transaction of 100 entities); got {outbox.Count}",
                nameof(outbox));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        long length = SavedLength(finding);
        foreach (var entry in outbox)
        {
            ValidateEntry(entry);
            if (!string.Equals(entry.Notification.Finding.Id, finding.Id, StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"outbox entry {entry.Id} notifies about finding {entry.Notification.Finding.Id}, not {finding.Id}", nameof(outbox));
            }

            if (!ids.Add(entry.Id))
            {
                throw new ArgumentException($"outbox entry id {entry.Id} appears twice in one save", nameof(outbox));
            }

            length += SavedLength(entry);
        }

        if (length > MaxSaveLength)
        {
            throw new ArgumentException(
                $"the save of finding {finding.Id} with {outbox.Count} outbox entries holds {length} chars; at most {MaxSaveLength} fit one Table transaction",
                nameof(outbox));
        }
    }

    /// <summary>
    /// Checks one outbox entry: an id (at most <see cref="MaxEntryIdLength"/> chars) and a sink name (at most
    /// <see cref="MaxSinkLength"/>), and a notification whose finding id is <see cref="Finding.IdFor"/> of its pool and kind.
    /// </summary>
    public static void ValidateEntry(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (string.IsNullOrWhiteSpace(entry.Id) || entry.Id.Length > MaxEntryIdLength)
        {
            throw new ArgumentException($"an outbox entry id must be 1 to {MaxEntryIdLength} chars, not blank", nameof(entry));
        }

        if (string.IsNullOrWhiteSpace(entry.Sink) || entry.Sink.Length > MaxSinkLength)
        {
            throw new ArgumentException($"outbox entry {entry.Id}: a sink name must be 1 to {MaxSinkLength} chars, not blank", nameof(entry));
        }

        if (entry.Notification?.Finding is null)
        {
            throw new ArgumentException($"outbox entry {entry.Id} has no notification (with its finding)", nameof(entry));
        }

        ValidateId(entry.Notification.Finding, nameof(entry));
    }

    /// <summary>The chars a stored finding takes, as counted against <see cref="MaxSaveLength"/>: its JSON plus the columns' room.</summary>
    public static int SavedLength(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return FindingJson.Serialize(finding with { Version = null }).Length + EntityOverhead;
    }

    /// <summary>The chars a stored outbox entry takes, as counted against <see cref="MaxSaveLength"/>.</summary>
    public static int SavedLength(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return FindingJson.Serialize(entry.Notification).Length + entry.Id.Length + entry.Sink.Length
            + (entry.LastError?.Length ?? 0) + EntityOverhead;
    }

    private static void ValidateId(Finding finding, string paramName)
    {
        // The id is what callers look findings up by; the pool and kind are where the Table store keeps them. They must agree.
        if (finding.PoolId is null || !string.Equals(finding.Id, Finding.IdFor(finding.PoolId, finding.Kind), StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"finding id '{finding.Id}' is not Finding.IdFor(pool, kind) of pool '{finding.PoolId}' and kind {finding.Kind}", paramName);
        }
    }

    private static Finding Cut(Finding finding, Tier tier) => finding with
    {
        Message = StateLimits.Truncate(finding.Message, tier.Text),
        Consequence = StateLimits.Truncate(finding.Consequence, tier.Text),
        Remedy = StateLimits.Truncate(finding.Remedy, tier.Text),
        Evidence = finding.Evidence with
        {
            PreviousSizes = Cut(finding.Evidence.PreviousSizes, tier),
            CurrentSizes = Cut(finding.Evidence.CurrentSizes, tier),
            AttemptedSizes = Cut(finding.Evidence.AttemptedSizes, tier),
            SizeSupport = StateLimits.TruncateOrNull(finding.Evidence.SizeSupport, tier.Text),
            EventIds = Cut(finding.Evidence.EventIds, tier),
            CorrelationId = StateLimits.TruncateOrNull(finding.Evidence.CorrelationId, tier.Text),
            ErrorCode = StateLimits.TruncateOrNull(finding.Evidence.ErrorCode, tier.Text),
            ErrorMessage = StateLimits.TruncateOrNull(finding.Evidence.ErrorMessage, tier.Text),
            Cluster = StateLimits.TruncateOrNull(finding.Evidence.Cluster, tier.Text),
            Location = StateLimits.TruncateOrNull(finding.Evidence.Location, tier.Text),
        },
    };

    private static IReadOnlyList<string> Cut(IReadOnlyList<string> list, Tier tier) =>
        Array.AsReadOnly(list.Skip(Math.Max(0, list.Count - tier.Items)).Select(item => StateLimits.Truncate(item, tier.Item)).ToArray());

    private readonly record struct Tier(int Text, int Item, int Items);
}
