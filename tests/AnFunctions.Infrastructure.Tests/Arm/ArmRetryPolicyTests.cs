using AnFunctions.Core.Arm;
using AnFunctions.Core.Options;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Emulation;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Arm;
using AnFunctions.Infrastructure.Compute;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;
using static AnFunctions.Infrastructure.Tests.Compute.ComputeTestData;

namespace AnFunctions.Infrastructure.Tests.Arm;

/// <summary>
/// The app's retries of an ARM call (<see cref="ArmRetryPolicy"/>), through the real SDK pipeline against the emulator,
/// on a virtual clock: every wait is seen as time passing on the clock, none takes real time.
/// </summary>
public sealed class ArmRetryPolicyTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly VirtualClock _clock = new(Start);
    private readonly ArmEmulator _emulator;

    public ArmRetryPolicyTests()
    {
        _emulator = new ArmEmulator(_clock);
        _emulator.PutScaleSet(Uniform("nodepool1"));
    }

    private ArmScaleSetClient Client(ArmOptions? options = null) =>
        new(new ArmConnection(EmulatorCredential.Instance, new HttpClientTransport(new HttpClient(_emulator.CreateHandler())),
            Options.Create(options ?? new ArmOptions { Endpoint = ArmEmulator.BaseUri }), time: _clock));

    private static ScaleSetId Pool => ScaleSetId.Parse(Id("nodepool1"));

    [Fact]
    public async Task Get_429WithRetryAfterWithinMaxRetryDelay_WaitsExactlyThatThenSucceeds()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 429, "TooManyRequests", times: 2, retryAfter: TimeSpan.FromSeconds(3));

        var snapshot = await Client().GetAsync(Pool, CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(3, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(TimeSpan.FromSeconds(6), _clock.Waited);
    }

    [Fact]
    public async Task Get_RetryAfterLongerThanMaxRetryDelay_NotWaitedForTheCallFailsTransientWithIt()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 429, "TooManyRequests", retryAfter: TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<AnFunctions.Core.Arm.ArmRequestException>(() => Client().GetAsync(Pool, CancellationToken.None));

        Assert.Equal(429, error.Status);
        Assert.True(error.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(20), error.RetryAfter);
        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(TimeSpan.Zero, _clock.Waited);
    }

    [Fact]
    public async Task Get_503WithoutRetryAfter_BacksOffRetryDelayDoublingUpToMaxRetryDelay()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 503, "ServiceUnavailable", times: 3);
        var options = new ArmOptions { Endpoint = ArmEmulator.BaseUri, MaxRetries = 3, Timeout = TimeSpan.FromSeconds(4), RetryDelay = TimeSpan.FromSeconds(1), MaxRetryDelay = TimeSpan.FromSeconds(3) };

        var snapshot = await Client(options).GetAsync(Pool, CancellationToken.None);

        Assert.NotNull(snapshot);
        // 1 s, 2 s, then 4 s capped at 3 s.
        Assert.Equal(TimeSpan.FromSeconds(6), _clock.Waited);
        Assert.Equal(4, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task Get_StillFailingAfterMaxRetries_ThrowsWithArmsLastAnswer()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 500, "InternalServerError", times: 10);

        var error = await Assert.ThrowsAsync<AnFunctions.Core.Arm.ArmRequestException>(() => Client().GetAsync(Pool, CancellationToken.None));

        Assert.Equal(500, error.Status);
        Assert.Equal(3, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(409)]
    [InlineData(412)]
    public async Task Get_NotARetryableStatus_TriedOnce(int status)
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, status, "Refused", times: 10);

        await Assert.ThrowsAsync<AnFunctions.Core.Arm.ArmRequestException>(() => Client().GetAsync(Pool, CancellationToken.None));

        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task Get_DroppedConnection_RetriedAsTheSdkWould()
    {
        _emulator.AddFault(new FaultRule { Kind = ArmCallKind.GetScaleSet, DropConnection = true, Times = 1 });

        var snapshot = await Client().GetAsync(Pool, CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(2, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task Get_ArmsOwnThrottling_EmptyReadBucketRefillsWhileTheRetryWaits()
    {
        var client = Client();
        for (var i = 0; i < 250; i++)
        {
            await client.GetAsync(Pool, CancellationToken.None);
        }

        var snapshot = await client.GetAsync(Pool, CancellationToken.None);

        // The 251st read got 429 with Retry-After 1; the wait refilled the bucket on the emulator's (same) clock.
        Assert.NotNull(snapshot);
        Assert.Equal(252, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(429, _emulator.RequestLog[^2].Status);
        Assert.Equal(TimeSpan.FromSeconds(1), _clock.Waited);
    }

    [Fact]
    public async Task Get_DeliveryBudgetHasNoRoomForATry_NotSentAndTransient()
    {
        using var budget = ArmBudget.Begin(_clock, ArmBudget.DeliveryLimit);
        _clock.Advance(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<AnFunctions.Core.Arm.ArmRequestException>(() => Client().GetAsync(Pool, CancellationToken.None));

        // 20 s spent + a 6 s try > 25 s.
        Assert.Equal(ArmRetryPolicy.BudgetSpentCode, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Equal(0, _emulator.Count(ArmCallKind.GetScaleSet));
    }

    [Fact]
    public async Task Get_DeliveryBudgetHasNoRoomForTheRetry_ArmsAnswerComesBackWithoutWaiting()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 429, "TooManyRequests", times: 5, retryAfter: TimeSpan.FromSeconds(3));
        using var budget = ArmBudget.Begin(_clock, ArmBudget.DeliveryLimit);
        _clock.Advance(TimeSpan.FromSeconds(17));

        var error = await Assert.ThrowsAsync<AnFunctions.Core.Arm.ArmRequestException>(() => Client().GetAsync(Pool, CancellationToken.None));

        // One try fitted (17 + 6 <= 25); a 3 s wait and another 6 s try would not (26 s).
        Assert.Equal(429, error.Status);
        Assert.Equal(1, _emulator.Count(ArmCallKind.GetScaleSet));
        Assert.Equal(TimeSpan.Zero, _clock.Waited);
        Assert.Equal(1, budget.Tries);
    }

    [Fact]
    public async Task Get_OutsideADelivery_NoBudgetLimitsTheRetries()
    {
        _emulator.FailNext(ArmCallKind.GetScaleSet, 429, "TooManyRequests", times: 2, retryAfter: TimeSpan.FromSeconds(3));
        _clock.Advance(TimeSpan.FromHours(1));

        var snapshot = await Client().GetAsync(Pool, CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(3, _emulator.Count(ArmCallKind.GetScaleSet));
    }
}
