using System.Text.Json.Nodes;
using AnFunctions.Emulator;
using AnFunctions.HostProtocol.Tests.Rpc;
using AnFunctions.HostProtocol.Tests.World;

namespace AnFunctions.HostProtocol.Tests;

/// <summary>Event Grid deliveries as the host passes them to the worker, against ARM over HTTPS and Table Storage on Azurite.</summary>
[Collection(HostProtocolCollection.Name)]
[Trait("Category", "HostProtocol")]
/// <remarks>
/// The function's binding has cardinality One, so the real host passes one event per invocation; a batch (an array,
/// as Event Grid posts to the host) is what the worker gets if the binding ever takes many, and what the parser must
/// survive anyway.
/// </remarks>
public sealed class EventDeliveryTests(HostProtocolFixture fixture)
{
    public static TheoryData<EventSchema, PayloadEncoding> Encodings() => new()
    {
        { EventSchema.EventGrid, PayloadEncoding.String },
        { EventSchema.EventGrid, PayloadEncoding.Json },
        { EventSchema.CloudEvents, PayloadEncoding.String },
        { EventSchema.CloudEvents, PayloadEncoding.Json },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task ScaleSetEvents_SingleCreationEvent_OnePatchAndThePoolRecordedInTableStorage(EventSchema schema, PayloadEncoding encoding)
    {
        var app = await fixture.SharedAppAsync();
        var pool = app.SeedScaleSet(HostedApp.UniqueName("pool-single"));

        var invocation = await app.DeliverAsync(Events.Write(schema, app.Subscription, pool, Guid.NewGuid().ToString()), encoding);

        Assert.True(invocation.Succeeded, invocation.ToString());
        await AssertEnabledOnceAndRecordedAsync(app, pool);
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task ScaleSetEvents_BatchWithTwoPoolsAndADuplicate_OnePatchPerPoolAndBothRecorded(EventSchema schema, PayloadEncoding encoding)
    {
        var app = await fixture.SharedAppAsync();
        var first = app.SeedScaleSet(HostedApp.UniqueName("pool-batch-a"));
        var second = app.SeedScaleSet(HostedApp.UniqueName("pool-batch-b"));
        var firstEvent = Events.Write(schema, app.Subscription, first, Guid.NewGuid().ToString());

        // Event Grid delivers at least once: the same event may come again, here in the same batch.
        var invocation = await app.DeliverAsync(
            new JsonArray(firstEvent, Events.Write(schema, app.Subscription, second, Guid.NewGuid().ToString()), firstEvent.DeepClone()),
            encoding);

        Assert.True(invocation.Succeeded, invocation.ToString());
        await AssertEnabledOnceAndRecordedAsync(app, first);
        await AssertEnabledOnceAndRecordedAsync(app, second);
    }

    [Fact]
    public async Task ScaleSetEvents_Delivery_AuthenticatesToArmWithTheManagedIdentityToken()
    {
        var app = await fixture.SharedAppAsync();
        var pool = app.SeedScaleSet(HostedApp.UniqueName("pool-identity"));

        var invocation = await app.DeliverAsync(Events.Write(EventSchema.EventGrid, app.Subscription, pool, Guid.NewGuid().ToString()));

        Assert.True(invocation.Succeeded, invocation.ToString());
        // The front end refuses every ARM call without the token its identity endpoint issued: none was refused.
        Assert.Empty(app.Arm.RefusedRequests);
        Assert.True(app.Emulator.Count(ArmCallKind.GetScaleSet) > 0);
        Assert.NotEmpty(app.Arm.TokenRequests);
        Assert.All(app.Arm.TokenRequests, token =>
        {
            Assert.True(token.HeaderValid);
            Assert.Equal(HostedApp.ClientId, token.ClientId);
            Assert.StartsWith("https://management.azure.com", token.Resource, StringComparison.Ordinal);
        });
    }

    private static async Task AssertEnabledOnceAndRecordedAsync(HostedApp app, string pool)
    {
        var (all, accepted) = app.Patches(pool);
        var patch = Assert.Single(all);
        Assert.Same(patch, Assert.Single(accepted));
        Assert.NotNull(patch.IfMatch);
        Assert.True(app.HasAcceleratedNetworking(pool));

        var record = await app.PoolRecordAsync(pool);
        Assert.NotNull(record);
        Assert.True(record.GetBoolean("AcceleratedNetworking"));
        Assert.True(record.GetBoolean("EnabledByApp"));
    }
}
