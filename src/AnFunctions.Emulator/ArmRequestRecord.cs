namespace AnFunctions.Emulator;

/// <summary>One line of the emulator's request log.</summary>
/// <param name="Method">The HTTP method, upper case.</param>
/// <param name="PathAndQuery">The path and query as sent.</param>
/// <param name="Kind">How the call was classified.</param>
/// <param name="Status">The HTTP status answered; 0 when the call was cancelled or the connection was dropped.</param>
/// <param name="Faulted">True when a fault rule produced or delayed the answer.</param>
/// <param name="At">When the emulator received it (emulator clock).</param>
public sealed record ArmRequestRecord(string Method, string PathAndQuery, ArmCallKind Kind, int Status, bool Faulted, DateTimeOffset At)
{
    public override string ToString() => $"{Method} {PathAndQuery} -> {Status}{(Faulted ? " (fault)" : string.Empty)}";
}
