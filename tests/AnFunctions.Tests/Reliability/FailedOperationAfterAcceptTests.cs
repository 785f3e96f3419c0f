using AnFunctions.Core.Audit;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Functions;

namespace AnFunctions.Tests.Reliability;

/// <summary>
/// ARM accepts the PATCH, then its long-running operation fails and the model is left without AN. The app does not
/// wait on the operation (a delivery must answer within 30 s); the next look at the pool must tell on-call.
/// </summary>
public sealed class FailedOperationAfterAcceptTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PatchAcceptedThenOperationFailed_NextAuditRaisesCriticalAnLost()
    {
        await using var app = AppUnderTest.Create(now: Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("pool-lro");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-lro", "Standard_D4s_v5", Now.AddMinutes(-1)));
        await app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "create"), CancellationToken.None);
        Assert.Single(app.Emulator.Writes, w => w.Status == 200);

        // The operation fails in ARM: provisioning failed, AN not applied to the model.
        app.Emulator.ModifyScaleSet(id, s =>
        {
            s["properties"]!["provisioningState"] = "Failed";
            s["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]![0]!["properties"]!["enableAcceleratedNetworking"] = false;
        });
        app.Time.Advance(TimeSpan.FromMinutes(30));

        await app.Get<FleetAudit>().RunAsync(new AuditRequest("test"), CancellationToken.None);

        var lost = Assert.Single(await app.Get<IFindingStore>().ListForPoolAsync(ScaleSetId.Parse(id), CancellationToken.None),
            f => f.Kind == FindingKind.AcceleratedNetworkingLost);
        Assert.Equal(FindingSeverity.Critical, lost.Severity);
        Assert.Equal(FindingStatus.Open, lost.Status);
        Assert.Single(app.Emulator.Writes, w => w.Status == 200);
    }
}
