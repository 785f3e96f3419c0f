using AnFunctions.Emulator;
using AnFunctions.HostProtocol.Tests.Rpc;
using AnFunctions.HostProtocol.Tests.World;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>A delivery ARM fails transiently: the invocation fails (the host then answers Event Grid with an error), the redelivery succeeds.</summary>
[Collection(HostProtocolCollection.Name)]
[Trait("Category", "HostProtocol")]
public sealed class FailedDeliveryTests(HostProtocolFixture fixture)
{
    /// <summary>The default <c>Arm:MaxRetries</c>: the ARM pipeline tries a call this many times more before giving up.</summary>
    private const int DefaultArmRetries = 2;

    [Fact]
    public async Task ScaleSetEvents_Arm503OnThePatch_InvocationFailsAndTheRedeliverySucceeds()
    {
        var app = await fixture.SharedAppAsync();
        var pool = app.SeedScaleSet(HostedApp.UniqueName("pool-503"));
        var delivery = Events.Write(EventSchema.EventGrid, app.Subscription, pool, Guid.NewGuid().ToString());
        // ARM answers 503 to every try of the PATCH within one invocation (the first and the default retries).
        app.Emulator.AddFault(new FaultRule
        {
            Kind = ArmCallKind.PatchScaleSet,
            ResourceId = pool,
            Status = 503,
            ErrorCode = "ServiceUnavailable",
            Times = DefaultArmRetries + 1,
        });

        var failed = await app.DeliverAsync(delivery);

        Assert.Equal(StatusResult.Types.Status.Failure, failed.Status);
        Assert.NotNull(failed.Response.Result.Exception);
        var (tried, accepted) = app.Patches(pool);
        Assert.Equal(DefaultArmRetries + 1, tried.Count);
        Assert.All(tried, p => Assert.Equal(503, p.Status));
        Assert.Empty(accepted);
        Assert.False(app.HasAcceleratedNetworking(pool));

        // Event Grid redelivers the same event.
        var redelivered = await app.DeliverAsync(delivery);

        Assert.True(redelivered.Succeeded, redelivered.ToString());
        Assert.Single(app.Patches(pool).Accepted);
        Assert.True(app.HasAcceleratedNetworking(pool));
        var record = await app.PoolRecordAsync(pool);
        Assert.NotNull(record);
        Assert.True(record.GetBoolean("EnabledByApp"));
    }
}
