namespace AnFunctions.Core.Arm;

/// <summary>
/// An ARM call failed. <see cref="IsTransient"/> says whether trying again later can succeed (throttling, server
/// errors, another operation in progress, timeouts); terminal errors (4xx) are recorded, not retried forever.
/// </summary>
public sealed class ArmRequestException : Exception
{
    public ArmRequestException(int status, string? errorCode, string message, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Status = status;
        ErrorCode = errorCode;
        RetryAfter = retryAfter;
    }

    public ArmRequestException() : this(0, null, "ARM request failed") { }

    public ArmRequestException(string message) : this(0, null, message) { }

    public ArmRequestException(string message, Exception inner) : this(0, null, message, null, inner) { }

    /// <summary>HTTP status; 0 when no response came (timeout, connection failure).</summary>
    public int Status { get; }
    public string? ErrorCode { get; }
    public TimeSpan? RetryAfter { get; }

    public bool IsPreconditionFailed => Status == 412;
    public bool IsNotFound => Status == 404;

    /// <summary>
    /// ARM accepted the request, and the long-running operation it started then failed (the error is the operation's).
    /// Terminal: trying the same again is a new decision, not a retry.
    /// </summary>
    public bool IsOperationFailure { get; init; }

    public bool IsTransient => !IsOperationFailure && Status is 0 or 408 or 409 or 429 or >= 500;
}
