using System.Text.Json.Nodes;
using AnFunctions.Core.Arm;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Compute;

namespace AnFunctions.Infrastructure.Tests.Compute;

public sealed class ArmScaleSetClientUnreadableTests
{
    [Fact]
    public async Task GetAsync_ValueTheSdkCannotRead_ThrowsTerminalArmRequestException()
    {
        var emulator = new AnFunctions.Emulator.ArmEmulator();
        const string id = "/subscriptions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/odd";
        emulator.PutScaleSet(new JsonObject
        {
            ["id"] = id,
            ["location"] = "westeurope",
            ["sku"] = new JsonObject { ["name"] = "Standard_D4s_v5", ["capacity"] = 1 },
            ["identity"] = new JsonObject { ["type"] = "UserAssigned", ["principalId"] = "aaaa", ["tenantId"] = "aaaa" },
        });
        var client = new ArmScaleSetClient(EmulatorConnection.Create(emulator));

        var error = await Assert.ThrowsAsync<ArmRequestException>(() => client.GetAsync(ScaleSetId.Parse(id), CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Equal("UnreadableResource", error.ErrorCode);
    }
}
