using AnFunctions.Bindings;
using AnFunctions.Core.Events;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Functions;

/// <summary>
/// Event Grid → the event delivery processor. Thin on purpose: the payload is handed over as received; a delivery
/// with events that failed transiently throws, so that the host fails the invocation and Event Grid redelivers.
/// </summary>
public sealed class ScaleSetEventsFunction(EventDeliveryProcessor processor)
{
    public const string Name = "ScaleSetEvents";

    [Function(Name)]
    public async Task RunAsync([EventGridTrigger] string payload, CancellationToken cancellationToken) =>
        await processor.ProcessAsync(payload, cancellationToken).ConfigureAwait(false);
}
