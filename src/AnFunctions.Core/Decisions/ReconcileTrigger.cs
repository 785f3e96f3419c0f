namespace AnFunctions.Core.Decisions;

/// <summary>What asked for a pool to be reconciled: recorded with the decision (as <see cref="ReconcileTriggers.Name"/>).</summary>
public enum ReconcileTrigger
{
    /// <summary>An Event Grid delivery of a scale set write.</summary>
    Event,

    /// <summary>The fleet audit (timer, queued run or CLI).</summary>
    Audit,

    /// <summary>An on-call request over HTTP.</summary>
    Http,

    /// <summary>The <c>an</c> command line.</summary>
    Cli,
}

public static class ReconcileTriggers
{
    /// <summary>The trigger as decision records, logs and reports spell it: <c>event</c>, <c>audit</c>, <c>http</c>, <c>cli</c>.</summary>
    public static string Name(this ReconcileTrigger trigger) => trigger switch
    {
        ReconcileTrigger.Event => "event",
        ReconcileTrigger.Audit => "audit",
        ReconcileTrigger.Http => "http",
        ReconcileTrigger.Cli => "cli",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "not a reconcile trigger"),
    };
}
