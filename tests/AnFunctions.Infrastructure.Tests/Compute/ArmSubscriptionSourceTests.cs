using AnFunctions.Core.Arm;
using AnFunctions.Emulator;
using AnFunctions.Infrastructure.Arm;
using static AnFunctions.Infrastructure.Tests.Compute.ComputeTestData;

namespace AnFunctions.Infrastructure.Tests.Compute;

/// <summary><see cref="ArmSubscriptionSource"/> with the real Azure SDK against the ARM emulator.</summary>
public sealed class ArmSubscriptionSourceTests
{
    private readonly ArmEmulator _emulator = new();

    private async Task<List<string>> ListAsync()
    {
        var source = new ArmSubscriptionSource(EmulatorConnection.Create(_emulator));
        var all = new List<string>();
        await foreach (var subscription in source.ListAsync(CancellationToken.None))
        {
            all.Add(subscription);
        }

        return all;
    }

    [Fact]
    public async Task ListAsync_AddedAndScaleSetSubscriptions_ListsEachOnce()
    {
        const string empty = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";
        _emulator.AddSubscription(empty);
        _emulator.PutScaleSet(Uniform("pool-a"));
        _emulator.PutScaleSet(Uniform("pool-b"));
        _emulator.PutScaleSet(Uniform("pool-c", subscription: OtherSubscription));

        var subscriptions = await ListAsync();

        Assert.Equal(new[] { Subscription, OtherSubscription, empty }.Order(StringComparer.Ordinal), subscriptions.Order(StringComparer.Ordinal));
        Assert.Equal(1, _emulator.Count(ArmCallKind.ListSubscriptions));
    }

    [Fact]
    public async Task ListAsync_NoSubscription_ReturnsNothing()
    {
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task ListAsync_Unauthorized_ThrowsArmRequestException()
    {
        _emulator.FailNext(ArmCallKind.ListSubscriptions, 401, "InvalidAuthenticationToken");

        var error = await Assert.ThrowsAsync<ArmRequestException>(ListAsync);

        Assert.Equal(401, error.Status);
        Assert.Equal("InvalidAuthenticationToken", error.ErrorCode);
    }
}
