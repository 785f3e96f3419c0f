using System.Collections.Concurrent;

namespace AnFunctions.Core.Telemetry;

/// <summary>
/// Counts calls by kind for whoever opened a scope (an audit run, one event), without counting other work running at
/// the same time in the process. The scope flows with the async flow that opened it and the tasks it starts; scopes
/// nest, and a call counts in every open scope. One meter per kind of remote: <see cref="Arm.ArmCallMeter"/> and
/// <see cref="State.TableCallMeter"/>, fed by the adapters' pipeline policies.
/// </summary>
public sealed class CallMeter
{
    private readonly AsyncLocal<CallTally?> _current = new();

    /// <summary>Starts counting the calls made by this flow (and the tasks it starts) until disposed.</summary>
    public CallTally Begin()
    {
        var tally = new CallTally(this, _current.Value);
        _current.Value = tally;
        return tally;
    }

    public void Record(string kind)
    {
        for (var tally = _current.Value; tally is not null; tally = tally.Parent)
        {
            if (!tally.IsDisposed)
            {
                tally.Add(kind);
            }
        }
    }

    internal void End(CallTally tally)
    {
        if (ReferenceEquals(_current.Value, tally))
        {
            // The nearest enclosing scope still open (one disposed out of order stays closed).
            var parent = tally.Parent;
            while (parent is { IsDisposed: true })
            {
                parent = parent.Parent;
            }

            _current.Value = parent;
        }
    }
}

/// <summary>The calls counted in one scope of a <see cref="CallMeter"/>, by kind.</summary>
public sealed class CallTally : IDisposable
{
    private readonly CallMeter _meter;
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);

    internal CallTally(CallMeter meter, CallTally? parent)
    {
        _meter = meter;
        Parent = parent;
    }

    internal CallTally? Parent { get; }

    /// <summary>A disposed scope counts nothing more, even while a scope it encloses is still open.</summary>
    internal bool IsDisposed { get; private set; }

    public IReadOnlyDictionary<string, int> Counts => new SortedDictionary<string, int>(_counts, StringComparer.Ordinal);

    public int Total => _counts.Values.Sum();

    internal void Add(string kind) => _counts.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public void Dispose()
    {
        IsDisposed = true;
        _meter.End(this);
    }
}
