using System.Collections.Concurrent;
using AnFunctions.HostProtocol.Tests.Rpc;
using Grpc.Core;

namespace AnFunctions.HostProtocol.Tests.Host;

/// <summary>
/// One worker's event stream. Requests carry a fresh <c>request_id</c> that the worker echoes on its response; the
/// worker's <see cref="RpcLog"/> messages (which carry none) are collected in arrival order.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly IServerStreamWriter<StreamingMessage> _writer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly List<RpcLog> _logs = [];
    private readonly List<StreamingMessage> _unexpected = [];
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();

    public WorkerChannel(string workerId, IServerStreamWriter<StreamingMessage> writer)
    {
        WorkerId = workerId;
        _writer = writer;
    }

    public string WorkerId { get; }

    /// <summary>Completes when the worker has closed its stream (or the call ended).</summary>
    public Task Closed => _closed.Task;

    public IReadOnlyList<RpcLog> Logs
    {
        get
        {
            lock (_gate)
            {
                return _logs.ToArray();
            }
        }
    }

    /// <summary>Messages that answered no request of this host.</summary>
    public IReadOnlyList<StreamingMessage> Unexpected
    {
        get
        {
            lock (_gate)
            {
                return _unexpected.ToArray();
            }
        }
    }

    /// <summary>Sends <paramref name="message"/> (a fresh request id is set) and waits for the worker's answer to it.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[message.RequestId] = answer;
        try
        {
            await SendAsync(message, cancellationToken).ConfigureAwait(false);
            var finished = await Task.WhenAny(answer.Task, Closed, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            if (finished == answer.Task)
            {
                return await answer.Task.ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new WorkerGoneException($"The worker closed its stream before answering {message.ContentCase}.");
        }
        finally
        {
            _pending.TryRemove(message.RequestId, out _);
        }
    }

    /// <summary>Sends a message that gets no answer (e.g. <see cref="WorkerTerminate"/>).</summary>
    public async Task SendAsync(StreamingMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(message.RequestId))
        {
            message.RequestId = Guid.NewGuid().ToString();
        }

        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Ends the call from the host side (the worker sees its stream end).</summary>
    public void Stop() => _stop.Cancel();

    internal async Task ReadAsync(IAsyncStreamReader<StreamingMessage> reader, CancellationToken callEnded)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callEnded, _stop.Token);
        try
        {
            while (await reader.MoveNext(linked.Token).ConfigureAwait(false))
            {
                var message = reader.Current;
                if (message.ContentCase == StreamingMessage.ContentOneofCase.RpcLog)
                {
                    lock (_gate)
                    {
                        _logs.Add(message.RpcLog);
                    }
                }
                else if (_pending.TryGetValue(message.RequestId, out var waiting))
                {
                    waiting.TrySetResult(message);
                }
                else
                {
                    lock (_gate)
                    {
                        _unexpected.Add(message);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or Grpc.Core.RpcException or InvalidOperationException)
        {
            // The worker went away (or this host ended the call): the stream is closed either way.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }
}

/// <summary>The worker's stream or process ended while the host waited for it.</summary>
internal sealed class WorkerGoneException(string message) : Exception(message);
