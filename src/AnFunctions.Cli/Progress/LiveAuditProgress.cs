using System.Collections.Concurrent;
using Spectre.Console;

namespace AnFunctions.Cli.Progress;

/// <summary>Progress on a terminal: a Spectre progress display with one live line per subscription.</summary>
internal sealed class LiveAuditProgress(IAnsiConsole console) : AuditProgress
{
    private readonly ConcurrentDictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
    private ProgressContext? _context;

    public override Task<T> RunAsync<T>(Func<Task<T>> audit)
    {
        ArgumentNullException.ThrowIfNull(audit);
        return console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                _context = context;
                return await audit().ConfigureAwait(false);
            });
    }

    public override void Started(string subscriptionId) =>
        _tasks[subscriptionId] = _context!.AddTask(Line(subscriptionId, "auditing"), maxValue: 1).IsIndeterminate();

    public override void Audited(string subscriptionId, int pools)
    {
        if (_tasks.TryGetValue(subscriptionId, out var task))
        {
            task.Description = Line(subscriptionId, $"auditing pool {pools}");
        }
    }

    public override void Finished(string subscriptionId, int pools, string? failure)
    {
        if (_tasks.TryGetValue(subscriptionId, out var task))
        {
            task.Description = Line(subscriptionId, Describe(pools, failure));
            task.IsIndeterminate = false;
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }

    private static string Line(string subscriptionId, string state) => Markup.Escape($"{subscriptionId}: {state}");
}
