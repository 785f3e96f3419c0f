using AnFunctions.Core.Retention;

namespace AnFunctions.InMemory.Retention;

/// <summary>How the in-memory stores prune: the rows past their cutoff, oldest first, at most a prune's worth.</summary>
internal static class InMemoryPruning
{
    /// <summary>
    /// The candidates to delete now (oldest first, at most <see cref="PruneLimits.MaxRows"/>) and whether more are
    /// left for the next run.
    /// </summary>
    public static (List<TKey> Delete, bool More) Select<TKey>(
        IEnumerable<(TKey Key, DateTimeOffset At)> rows, DateTimeOffset cutoff, PruneLimits limits)
    {
        var expired = rows.Where(r => r.At < cutoff).OrderBy(r => r.At.UtcTicks).Select(r => r.Key).ToList();
        return expired.Count > limits.MaxRows ? (expired[..limits.MaxRows], true) : (expired, false);
    }
}
