using AnFunctions.Core.Audit;
using Azure.Storage.Queues;

namespace AnFunctions.Infrastructure.Queues;

/// <summary>
/// Queued audit runs on the host's Storage queue <see cref="AuditRunMessage.QueueName"/>, which the queue-triggered
/// function reads. Messages are Base64-encoded JSON: the Functions queue trigger's default <c>messageEncoding</c>.
/// The queue is created on first use (the app creates its queues, like its tables).
/// </summary>
public sealed class StorageAuditQueue(Lazy<QueueClient> queue) : IAuditQueue
{
    private readonly StorageQueueSender _sender = new(queue);

    public StorageAuditQueue(QueueClient queue) : this(new Lazy<QueueClient>(queue)) { }

    /// <summary>The client options every queue client of the app uses: Base64 message text, like the trigger expects.</summary>
    public static QueueClientOptions ClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public Task EnqueueAsync(AuditRunMessage message, CancellationToken cancellationToken) =>
        _sender.SendAsync(message.ToJson(), cancellationToken);
}

/// <summary>Queued rollouts on the host's Storage queue <see cref="Core.Rollouts.RolloutMessage.QueueName"/>, as <see cref="StorageAuditQueue"/> does for audits.</summary>
public sealed class StorageRolloutQueue(Lazy<QueueClient> queue) : Core.Rollouts.IRolloutQueue
{
    private readonly StorageQueueSender _sender = new(queue);

    public StorageRolloutQueue(QueueClient queue) : this(new Lazy<QueueClient>(queue)) { }

    public Task EnqueueAsync(Core.Rollouts.RolloutMessage message, CancellationToken cancellationToken) =>
        _sender.SendAsync(message.ToJson(), cancellationToken);
}

/// <summary>
/// Sends text messages to one Storage queue, creating the queue on first use (once, by one caller at a time). The
/// client itself is made on first use too: what only sometimes queues (a reconcile that may start a rollout) does not
/// need the host's storage settings to be built.
/// </summary>
internal sealed class StorageQueueSender(Lazy<QueueClient> lazyQueue)
{
    private readonly SemaphoreSlim _created = new(1, 1);
    private volatile bool _exists;

    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        var queue = lazyQueue.Value;
        if (!_exists)
        {
            await _created.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_exists)
                {
                    await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    _exists = true;
                }
            }
            finally
            {
                _created.Release();
            }
        }

        await queue.SendMessageAsync(text, cancellationToken).ConfigureAwait(false);
    }
}
