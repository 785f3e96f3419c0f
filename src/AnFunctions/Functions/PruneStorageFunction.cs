using AnFunctions.Core.Retention;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>
/// Every hour (at minute 17, off the audit's half hours): delete stored rows past their retention (section
/// <c>Retention</c>), a bounded number of pages per run. Not run on startup.
/// </summary>
public sealed class PruneStorageFunction(StoragePruner pruner)
{
    public const string Name = "PruneStorage";
    public const string Schedule = "0 17 * * * *";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger(Schedule, RunOnStartup = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        await pruner.RunAsync(cancellationToken).ConfigureAwait(false);
}
