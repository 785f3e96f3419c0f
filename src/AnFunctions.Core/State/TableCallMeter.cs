using AnFunctions.Core.Telemetry;

namespace AnFunctions.Core.State;

/// <summary>
/// Counts Table Storage round trips by kind (<c>Read</c>, <c>Query</c>, <c>Insert</c>, <c>Transaction</c>...) for
/// whoever opened a scope (an audit run, an event), as <see cref="Arm.ArmCallMeter"/> does for ARM. The Table adapter's
/// pipeline policy reports every request it sends, each retry included.
/// </summary>
public static class TableCallMeter
{
    private static readonly CallMeter Meter = new();

    /// <summary>Starts counting the round trips made by this flow (and the tasks it starts) until disposed.</summary>
    public static CallTally Begin() => Meter.Begin();

    public static void Record(string kind) => Meter.Record(kind);
}
