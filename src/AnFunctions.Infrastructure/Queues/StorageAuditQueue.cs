using AnFunctions.Core.Audit;
using Azure.Storage.Queues;

namespace AnFunctions.Infrastructure.Queues;

/// <summary>
/// Queued audit runs on the host's Storage queue <see cref="AuditRunMessage.QueueName"/>, which the queue-triggered
/// function reads. Messages are Base64-encoded JSON: the Functions queue trigger's default <c>messageEncoding</c>.
/// The queue is created on first use (the app creates its queues, like its tables).
/// </summary>
public sealed class StorageAuditQueue(QueueClient queue) : IAuditQueue
{
    private readonly SemaphoreSlim _created = new(1, 1);
    private volatile bool _exists;

    /// <summary>The client options every audit queue client uses: Base64 message text, like the trigger expects.</summary>
    public static QueueClientOptions ClientOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public async Task EnqueueAsync(AuditRunMessage message, CancellationToken cancellationToken)
    {
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

        await queue.SendMessageAsync(message.ToJson(), cancellationToken).ConfigureAwait(false);
    }
}
