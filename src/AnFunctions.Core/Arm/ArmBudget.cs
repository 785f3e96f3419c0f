namespace AnFunctions.Core.Arm;

/// <summary>
/// The time one Event Grid delivery may spend on ARM. Event Grid waits 30 s for an answer and counts a later one as a
/// failure (and delivers again); <see cref="DeliveryLimit"/> keeps 5 s of that for the state writes around the ARM
/// calls and for the host. While a budget is open (<see cref="Begin"/>, for the flow that opened it and the tasks it
/// starts), the ARM adapter starts no try that could end after it (a try takes at most <c>Arm:Timeout</c>) and no
/// wait before a retry that would leave no room for the retry: the call fails as transient instead, and Event Grid
/// redelivers. Outside a delivery (audit, HTTP) no budget is open.
/// </summary>
public sealed class ArmBudget : IDisposable
{
    /// <summary>How long Event Grid waits for a delivery's answer.</summary>
    public static readonly TimeSpan EventGridAnswerWindow = TimeSpan.FromSeconds(30);

    /// <summary>What one delivery may spend: Event Grid's window less 5 s for the state writes and the host.</summary>
    public static readonly TimeSpan DeliveryLimit = TimeSpan.FromSeconds(25);

    private static readonly AsyncLocal<ArmBudget?> Slot = new();

    private readonly TimeProvider _time;
    private readonly ArmBudget? _previous;
    private long _tries;
    private long _waitTicks;
    private volatile bool _disposed;

    private ArmBudget(TimeProvider time, TimeSpan limit, ArmBudget? previous)
    {
        _time = time;
        _previous = previous;
        Limit = limit;
        Started = time.GetUtcNow();
    }

    /// <summary>The budget of the current flow, if one is open.</summary>
    public static ArmBudget? Current => Slot.Value;

    /// <summary>Opens a budget for this flow until disposed.</summary>
    public static ArmBudget Begin(TimeProvider time, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(time);
        var budget = new ArmBudget(time, limit, Slot.Value);
        Slot.Value = budget;
        return budget;
    }

    public TimeSpan Limit { get; }

    public DateTimeOffset Started { get; }

    public TimeSpan Elapsed => _time.GetUtcNow() - Started;

    public TimeSpan Remaining => Limit - Elapsed;

    /// <summary>ARM tries started under this budget (first tries and retries).</summary>
    public long Tries => Interlocked.Read(ref _tries);

    /// <summary>Time waited before retries (and for the outcome of a write) under this budget.</summary>
    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref _waitTicks));

    /// <summary>True when something that takes <paramref name="duration"/> would still end within the budget.</summary>
    public bool HasRoomFor(TimeSpan duration) => Elapsed + duration <= Limit;

    public void RecordTry() => Interlocked.Increment(ref _tries);

    public void RecordWait(TimeSpan wait) => Interlocked.Add(ref _waitTicks, wait.Ticks);

    /// <summary>
    /// Closes the budget. When it is the current one, the nearest enclosing budget still open becomes current again
    /// (one disposed out of order stays closed).
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        if (ReferenceEquals(Slot.Value, this))
        {
            var previous = _previous;
            while (previous is { _disposed: true })
            {
                previous = previous._previous;
            }

            Slot.Value = previous;
        }
    }
}
