using System.Collections;
using System.Reflection;

namespace AnFunctions.Core.State;

/// <summary>
/// Whether a pool record needs writing: two records with the same content but for <see cref="PoolRecord.LastSeen"/>
/// and <see cref="PoolRecord.Version"/> are the same record (the audit does not rewrite a pool to say it saw it again:
/// the run says so). Compares every settable property, lists by their items, so that a property added later counts
/// without being listed here.
/// </summary>
public static class PoolRecordContent
{
    private static readonly PropertyInfo[] Compared = typeof(PoolRecord)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is not null && p.Name is not nameof(PoolRecord.LastSeen) and not nameof(PoolRecord.Version))
        .ToArray();

    public static bool Same(PoolRecord a, PoolRecord b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        foreach (var property in Compared)
        {
            if (!SameValue(property.GetValue(a), property.GetValue(b)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameValue(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (IEnumerable x, IEnumerable y) => x.Cast<object?>().SequenceEqual(y.Cast<object?>()),
        _ => a.Equals(b),
    };
}
