using System.Collections.Concurrent;

namespace AnFunctions.Core.Arm;

/// <summary>
/// Counts ARM calls by kind for whoever opened a scope (an audit run), without counting other work running at the same
/// time in the process (events). The ARM adapters report every request they send.
/// </summary>
public static class ArmCallMeter
{
    private static readonly AsyncLocal<ArmCallTally?> Current = new();

    /// <summary>Starts counting the calls made by this flow (and the tasks it starts) until disposed.</summary>
    public static ArmCallTally Begin()
    {
        var tally = new ArmCallTally(Current.Value);
        Current.Value = tally;
        return tally;
    }

    public static void Record(string kind)
    {
        for (var tally = Current.Value; tally is not null; tally = tally.Parent)
        {
            tally.Add(kind);
        }
    }

    internal static void End(ArmCallTally tally) => Current.Value = tally.Parent;
}

public sealed class ArmCallTally : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    internal ArmCallTally(ArmCallTally? parent) => Parent = parent;

    internal ArmCallTally? Parent { get; }

    public IReadOnlyDictionary<string, int> Counts => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    internal void Add(string kind) => _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Dispose() => ArmCallMeter.End(this);
}
