using System.Globalization;
using AnFunctions.Core.Findings;

namespace AnFunctions.Api;

/// <summary>A checked finding listing request: the filter, the page size and where to continue.</summary>
public sealed record FindingListRequest(FindingQuery Query, int PageSize, string? Continuation);

/// <summary>Parses the finding list's query parameters; every value is checked against a closed set.</summary>
public static class FindingFilters
{
    public static Checked<FindingListRequest> Parse(string? status, string? severity, string? subscription, string? kind, string? pageSize, string? continuation)
    {
        FindingStatus? statusValue = null;
        if (status is not null)
        {
            if (!TryEnum<FindingStatus>(status, out var parsed))
            {
                return Problems.InvalidParameter("status", "status is open or resolved");
            }

            statusValue = parsed;
        }

        FindingSeverity? severityValue = null;
        if (severity is not null)
        {
            if (!TryEnum<FindingSeverity>(severity, out var parsed))
            {
                return Problems.InvalidParameter("severity", "severity is info, warning or critical (findings at or above it are listed)");
            }

            severityValue = parsed;
        }

        if (subscription is not null && !RequestReader.IsValidSubscriptionId(subscription))
        {
            return Problems.InvalidParameter("subscription", "subscription is a subscription id (GUID)");
        }

        FindingKind? kindValue = null;
        if (kind is not null)
        {
            if (!TryEnum<FindingKind>(kind, out var parsed))
            {
                return Problems.InvalidParameter("kind", "kind is one of " + string.Join(", ", Enum.GetNames<FindingKind>()));
            }

            kindValue = parsed;
        }

        var size = FindingPages.DefaultPageSize;
        if (pageSize is not null
            && (!int.TryParse(pageSize, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > FindingPages.MaxPageSize))
        {
            return Problems.InvalidParameter("pageSize", $"pageSize is a whole number from 1 to {FindingPages.MaxPageSize}");
        }

        if (continuation is not null && !FindingPages.IsValidId(continuation))
        {
            return Problems.InvalidParameter("continuation", "continuation must be the token of a previous page");
        }

        return new Checked<FindingListRequest>(
            new FindingListRequest(new FindingQuery(statusValue, severityValue, subscription?.ToLowerInvariant(), kindValue), size, continuation), null);
    }

    /// <summary>By name only (case-insensitive): numbers, which <see cref="Enum.TryParse{TEnum}(string, out TEnum)"/> would take, are refused.</summary>
    public static bool TryEnum<T>(string value, out T result) where T : struct, Enum
    {
        var name = Enum.GetNames<T>().FirstOrDefault(n => n.Equals(value, StringComparison.OrdinalIgnoreCase));
        result = name is null ? default : Enum.Parse<T>(name);
        return name is not null;
    }
}
