using System.Text.RegularExpressions;

namespace AnFunctions.Core.Findings;

/// <summary>One page of findings and the token for the next one (null on the last page).</summary>
public sealed record FindingPage(IReadOnlyList<Finding> Items, string? Continuation);

/// <summary>
/// Paging over <see cref="IFindingStore.ListAsync"/> (ordered by id): the continuation token is the last id of the
/// page, opaque to callers and checked like any finding id.
/// </summary>
public static partial class FindingPages
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    /// <summary><c>fnd-</c> and 24 lower-case hex characters, as <see cref="Finding.IdFor"/> makes them.</summary>
    public static bool IsValidId(string? value) => value is { Length: 28 } && IdPattern().IsMatch(value);

    public static async Task<FindingPage> ReadAsync(IFindingStore store, FindingQuery query, int pageSize, string? continuation, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        if (continuation is not null && !IsValidId(continuation))
        {
            throw new ArgumentException("the continuation token is not one this service made", nameof(continuation));
        }

        var items = new List<Finding>(pageSize);
        var more = false;
        await foreach (var finding in store.ListAsync(query, cancellationToken).ConfigureAwait(false))
        {
            if (continuation is not null && string.CompareOrdinal(finding.Id, continuation) <= 0)
            {
                continue;
            }

            if (items.Count == pageSize)
            {
                more = true;
                break;
            }

            items.Add(finding);
        }

        return new FindingPage(items, more ? items[^1].Id : null);
    }

    [GeneratedRegex("^fnd-[0-9a-f]{24}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex IdPattern();
}
