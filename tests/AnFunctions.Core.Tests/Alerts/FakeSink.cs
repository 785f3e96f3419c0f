using AnFunctions.Core.Alerts;
using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Tests.Alerts;

/// <summary>A sink whose answers are scripted: each call takes the next behaviour (the last one repeats).</summary>
internal sealed class FakeSink(string name, FindingSeverity minimum = FindingSeverity.Warning) : IAlertSink
{
    private readonly Queue<Func<AlertNotification, Task>> _script = new();
    private readonly List<AlertNotification> _received = [];
    private readonly Lock _gate = new();

    public string Name => name;

    public IReadOnlyList<AlertNotification> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.ToList();
            }
        }
    }

    public IReadOnlyList<(AlertAction Action, string FindingId)> Delivered { get; private set; } = [];

    public FakeSink Then(Func<AlertNotification, Task> behaviour)
    {
        _script.Enqueue(behaviour);
        return this;
    }

    public FakeSink ThenFail(bool transient, TimeSpan? retryAfter = null) =>
        Then(_ => throw new AlertDeliveryException(name, transient ? 503 : 400, transient ? "unavailable" : "bad request", transient, retryAfter));

    public bool Accepts(AlertNotification notification) =>
        notification.Action == AlertAction.Resolve || notification.Finding.Severity >= minimum;

    public async Task SendAsync(AlertNotification notification, CancellationToken cancellationToken)
    {
        Func<AlertNotification, Task>? behaviour;
        lock (_gate)
        {
            _received.Add(notification);
            behaviour = _script.Count > 1 ? _script.Dequeue() : _script.Count == 1 ? _script.Peek() : null;
        }

        if (behaviour is not null)
        {
            await behaviour(notification);
        }

        lock (_gate)
        {
            Delivered = [.. Delivered, (notification.Action, notification.Finding.Id)];
        }
    }
}
