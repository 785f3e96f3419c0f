using AnFunctions.Core.Arm;
using AnFunctions.Core.Telemetry;
using Azure.Core;
using Azure.Core.Pipeline;

namespace AnFunctions.Infrastructure.Arm;

/// <summary>
/// Reports every ARM request (each retry included: it costs quota too) to <see cref="ArmCallMeter"/> (the audit's
/// count) and to the app's metrics (<see cref="AnMetrics.ArmRequests"/>).
/// </summary>
internal sealed class ArmCallMeterPolicy(AnMetrics? metrics = null) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var kind = Classify(message.Request.Method.Method, message.Request.Uri.Path);
        ArmCallMeter.Record(kind);
        metrics?.ArmRequest(kind);
    }

    public static string Classify(string method, string path)
    {
        var segments = path.Trim('/').Split('/');
        var last = segments[^1];
        if (segments.Length == 1 && last.Equals("subscriptions", StringComparison.OrdinalIgnoreCase))
        {
            return "ListSubscriptions";
        }

        if (last.Equals("resources", StringComparison.OrdinalIgnoreCase) && segments.Length >= 2
            && segments[^2].Equals("Microsoft.ResourceGraph", StringComparison.OrdinalIgnoreCase))
        {
            return "ResourceGraphQuery";
        }

        if (last.Equals("skus", StringComparison.OrdinalIgnoreCase))
        {
            return "ListSkus";
        }

        if (last.Equals("values", StringComparison.OrdinalIgnoreCase))
        {
            return "ActivityLog";
        }

        if (segments.Length >= 2 && segments[^2].Equals("operations", StringComparison.OrdinalIgnoreCase))
        {
            return "PollOperation";
        }

        if (method.Equals("POST", StringComparison.OrdinalIgnoreCase) && segments.Length >= 3
            && segments[^3].Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase))
        {
            return "InstanceAction";
        }

        if (last.Equals("virtualMachines", StringComparison.OrdinalIgnoreCase))
        {
            return "ListInstances";
        }

        if (last.Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase))
        {
            return "ListScaleSets";
        }

        var isScaleSet = segments.Length >= 2 && segments[^2].Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase);
        return (isScaleSet, method.ToUpperInvariant()) switch
        {
            (true, "GET") => "GetScaleSet",
            (true, "PATCH") => "PatchScaleSet",
            (true, _) => "WriteScaleSet",
            _ => "Other",
        };
    }
}
