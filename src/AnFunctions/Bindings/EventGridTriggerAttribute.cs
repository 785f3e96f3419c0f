using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

[assembly: ExtensionInformation("Microsoft.Azure.WebJobs.Extensions.EventGrid", "3.3.0")]

namespace AnFunctions.Bindings;

/// <summary>
/// The Event Grid trigger, declared here because <c>Microsoft.Azure.Functions.Worker.Extensions.EventGrid</c> is not
/// available to this build. It has the official attribute's name and shape, so the Worker SDK emits the same
/// <c>eventGridTrigger</c> binding and installs the same host extension (see the assembly attribute above); replacing it
/// with the official package is a change of <c>using</c>. The payload is bound as a string and parsed with
/// <c>Azure.Messaging.EventGrid</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class EventGridTriggerAttribute : TriggerBindingAttribute
{
    /// <summary>Deliver events one by one (false, the default) or as an array.</summary>
    [DefaultValue(false)]
    public bool IsBatched { get; set; }
}
