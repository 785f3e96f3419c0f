using AnFunctions.Core.Telemetry;

namespace AnFunctions.Core.Arm;

/// <summary>
/// Counts ARM calls by kind for whoever opened a scope (an audit run, an event), without counting other work running at
/// the same time in the process. The ARM adapters report every request they send.
/// </summary>
public static class ArmCallMeter
{
    private static readonly CallMeter Meter = new();

    /// <summary>Starts counting the calls made by this flow (and the tasks it starts) until disposed.</summary>
    public static CallTally Begin() => Meter.Begin();

    public static void Record(string kind) => Meter.Record(kind);
}
