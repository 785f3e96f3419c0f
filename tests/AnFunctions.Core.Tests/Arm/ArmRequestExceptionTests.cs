using AnFunctions.Core.Arm;

namespace AnFunctions.Core.Tests.Arm;

public sealed class ArmRequestExceptionTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(400, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(412, false)]
    [InlineData(429, true)]
    [InlineData(499, false)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    public void IsTransient_ByStatus_OnlyWhatMaySucceedLater(int status, bool transient)
    {
        Assert.Equal(transient, new ArmRequestException(status, null, "m").IsTransient);
    }

    [Fact]
    public void IsTransient_FailedOperation_NeverEvenWithATransientStatus()
    {
        Assert.False(new ArmRequestException(503, "InternalExecutionError", "m") { IsOperationFailure = true }.IsTransient);
    }

    [Theory]
    [InlineData(404, true, false)]
    [InlineData(412, false, true)]
    [InlineData(500, false, false)]
    public void IsNotFoundAndIsPreconditionFailed_TheirStatusOnly(int status, bool notFound, bool preconditionFailed)
    {
        var e = new ArmRequestException(status, null, "m");

        Assert.Equal((notFound, preconditionFailed), (e.IsNotFound, e.IsPreconditionFailed));
    }

    [Fact]
    public void StandardConstructors_NoAnswerAndTransient()
    {
        var inner = new TimeoutException();
        var all = new[] { new ArmRequestException(), new ArmRequestException("gone"), new ArmRequestException("gone", inner) };

        Assert.All(all, e => Assert.Equal((0, (string?)null, true), (e.Status, e.ErrorCode, e.IsTransient)));
        Assert.Equal(["ARM request failed", "gone", "gone"], all.Select(e => e.Message));
        Assert.Same(inner, all[2].InnerException);
    }
}
