namespace AnFunctions.Cli.Progress;

/// <summary>
/// Progress for logs and pipes: one line per subscription when the audit is through it, written at that moment
/// (no control sequences, no redrawing).
/// </summary>
internal sealed class PlainAuditProgress(TextWriter error) : AuditProgress
{
    private readonly Lock _write = new();

    public override Task<T> RunAsync<T>(Func<Task<T>> audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return audit();
    }

    public override void Started(string subscriptionId)
    {
    }

    public override void Audited(string subscriptionId, int pools)
    {
    }

    public override void Finished(string subscriptionId, int pools, string? failure)
    {
        lock (_write)
        {
            error.WriteLine($"  {subscriptionId}: {Describe(pools, failure)}");
            error.Flush();
        }
    }
}
