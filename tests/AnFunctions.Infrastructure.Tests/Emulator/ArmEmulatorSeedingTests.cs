using System.Text.Json.Nodes;
using AnFunctions.Emulator;

namespace AnFunctions.Infrastructure.Tests.Emulator;

public sealed class ArmEmulatorSeedingTests
{
    [Fact]
    public void PutScaleSet_CapacityBuiltInCode_CreatesThatManyInstances()
    {
        var emulator = new ArmEmulator();
        const string id = "/subscriptions/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/vmss";

        emulator.PutScaleSet(new JsonObject
        {
            ["id"] = id,
            ["location"] = "westeurope",
            ["sku"] = new JsonObject { ["name"] = "Standard_D4s_v5", ["capacity"] = 3 },
        });

        Assert.Equal(3, emulator.GetInstances(id)!.Count);
    }
}
