namespace AnFunctions.InMemory.Queues;

/// <summary>
/// A Storage queue's stand-in for <c>simulate</c>, the CLI and tests: with <see cref="RunImmediately"/> (the default) a
/// message is handed at once, in process, to the same runner as the queue trigger's; otherwise messages are kept in
/// <see cref="Pending"/> for a test to deliver to the queue-triggered function (as the host would, later).
/// </summary>
public abstract class InMemoryWorkQueue
{
    private readonly Lock _gate = new();
    private readonly Queue<string> _pending = new();

    public bool RunImmediately { get; set; } = true;

    public IReadOnlyList<string> Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.ToList();
            }
        }
    }

    public string? Dequeue()
    {
        lock (_gate)
        {
            return _pending.TryDequeue(out var message) ? message : null;
        }
    }

    /// <summary>Runs the message as the queue trigger would.</summary>
    protected abstract Task RunAsync(string message, CancellationToken cancellationToken);

    protected async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        if (RunImmediately)
        {
            await RunAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        lock (_gate)
        {
            _pending.Enqueue(message);
        }
    }
}
