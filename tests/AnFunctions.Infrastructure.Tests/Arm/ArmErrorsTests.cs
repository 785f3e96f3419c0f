using AnFunctions.Core.Arm;
using AnFunctions.Infrastructure.Arm;
using Azure;

namespace AnFunctions.Infrastructure.Tests.Arm;

/// <summary>
/// Every way an ARM call can fail reaches Core as an <see cref="ArmRequestException"/> (Core catches nothing else), with
/// the right transience; the caller's own cancellation passes through as it is.
/// </summary>
public sealed class ArmErrorsTests
{
    public static TheoryData<string, Exception, int, string?, bool> Failures() => new()
    {
        { "ARM answered 503", new RequestFailedException(503, "busy", "ServerBusy", null), 503, "ServerBusy", true },
        { "ARM answered 403", new RequestFailedException(403, "no", "AuthorizationFailed", null), 403, "AuthorizationFailed", false },
        { "the SDK's network timeout", new TaskCanceledException("timeout"), 0, "Timeout", true },
        { "a dropped connection the SDK did not wrap", new HttpRequestException("reset"), 0, "NoAnswer", true },
        { "a broken stream", new IOException("broken"), 0, "NoAnswer", true },
        { "a timeout of our own", new TimeoutException("late"), 0, "NoAnswer", true },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Call_Failure_IsAnArmRequestException(string name, Exception failure, int status, string? code, bool transient)
    {
        var error = await Assert.ThrowsAsync<ArmRequestException>(() => ArmErrors.Call<int>("read x", () => throw failure, CancellationToken.None));

        Assert.True((status, code, transient) == (error.Status, error.ErrorCode, error.IsTransient), $"{name}: {error.Status} {error.ErrorCode} {error.IsTransient}");
        Assert.StartsWith("read x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_CallerCancelled_PassesThrough()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ArmErrors.Call<int>("read x", () => throw new OperationCanceledException(cancelled.Token), cancelled.Token));
    }
}
