using Microsoft.Extensions.Logging;

namespace AnFunctions.Emulator;

internal static partial class EmulatorLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "ARM emulator: {Method} {PathAndQuery} -> {Status} ({Kind}, faulted: {Faulted})")]
    public static partial void Request(ILogger logger, string method, string pathAndQuery, int status, ArmCallKind kind, bool faulted);
}
