using AnFunctions.HostProtocol.Tests.Rpc;

namespace AnFunctions.HostProtocol.Tests.World;

/// <summary>The alert rule's view of a log line the Functions host relays from the worker (<see cref="RpcLog"/>).</summary>
internal sealed partial class AlertRuleQuery
{
    /// <summary>
    /// The <c>AppTraces</c> row for a worker log line relayed by the Functions host: <c>GrpcWorkerChannel.Log</c>
    /// (Azure/azure-functions-host) logs a <see cref="RpcLog.Types.RpcLogCategory.User"/> line of a running invocation through the
    /// function's logger as <c>Log(level, new EventId(0, rpcLog.EventId), rpcLog.Message, …)</c>: the state is the
    /// message string, so no structured property of the worker's log survives (and <c>propertiesMap</c> is read for
    /// metrics only). <c>ApplicationInsightsLogger</c> (Azure/azure-webjobs-sdk) then adds <c>Category</c>,
    /// <c>LogLevel</c> and, for a named event id, <c>EventName</c> (<c>EventId</c> only when it is not 0).
    /// </summary>
    public static TraceRow Relay(RpcLog log, string functionName)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Category"] = $"Function.{functionName}.User",
            ["LogLevel"] = log.Level.ToString(),
        };
        if (!string.IsNullOrEmpty(log.EventId))
        {
            properties["EventName"] = log.EventId;
        }

        return new TraceRow(properties, log.Message);
    }
}
