using Microsoft.Extensions.Time.Testing;

namespace AnFunctions.Emulator;

/// <summary>
/// A fake clock on which waiting takes no real time: a timer created on it (<c>Task.Delay(d, clock)</c>, a retry's
/// wait, the wait for a write's outcome) moves the clock forward by its due time at once, and fires. Everything else
/// is a <see cref="FakeTimeProvider"/>: the clock stands still unless someone waits or moves it. Simulations and tests
/// run the app on it, so a wait of the app shows as time passing on the emulated world's clock (and its figures can
/// be read from the clock) without slowing anything down.
/// </summary>
public sealed class VirtualClock : FakeTimeProvider
{
    private readonly Lock _gate = new();

    public VirtualClock(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>Total time waited on timers of this clock (each moved the clock forward by as much).</summary>
    public TimeSpan Waited { get; private set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                Waited += dueTime;
                Advance(dueTime);
            }
        }

        return timer;
    }
}
