using System.Text.Json.Nodes;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.Decisions;

public sealed class NewPoolDeciderTests
{
    public sealed record Case(
        string Name,
        ScaleSetSnapshot ScaleSet,
        bool Known,
        DecisionPolicy Policy,
        DecisionOutcome Outcome,
        DecisionReason Reason)
    {
        public override string ToString() => Name;
    }

    private static readonly Dictionary<string, string> OptOut = new() { ["an-automation"] = "disabled" };
    private static readonly Dictionary<string, string> OptOutUpper = new() { ["AN-Automation"] = "Disabled" };
    private static readonly Dictionary<string, string> OptOutOtherValue = new() { ["an-automation"] = "enabled" };

    public static TheoryData<Case> Cases() =>
    [
        new("new pool, AN-capable size, AN off: enable", TestData.ScaleSet(), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("new pool, AN off on one of two NICs: enable", TestData.ScaleSet(an: null, nicCount: 2), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("new pool, Observe (the DryRun setting): planned, not sent", TestData.ScaleSet(), false, TestData.Policy(RunMode.Observe), DecisionOutcome.WouldEnableAcceleratedNetworking, DecisionReason.DryRun),
        new("new pool, Preview: planned, not sent", TestData.ScaleSet(), false, TestData.Policy(RunMode.Preview), DecisionOutcome.WouldEnableAcceleratedNetworking, DecisionReason.DryRun),
        new("new pool, AN already on", TestData.ScaleSet(an: true), false, TestData.Policy(), DecisionOutcome.NoChange, DecisionReason.AlreadyEnabled),
        new("new pool, size without AN capability", TestData.ScaleSet(size: "Standard_B2s"), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.SizeNotSupported),
        new("new pool, size restricted for the subscription", TestData.ScaleSet(size: "Standard_E4s_v5"), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.SizeNotSupported),
        new("new pool, size missing from the SKU list", TestData.ScaleSet(size: "Standard_Z9_v9"), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.SizeUnknown),
        new("new pool, mix of AN sizes", TestData.ScaleSet(sizes: ["Standard_D4s_v3", "Standard_D8s_v3"]), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("new pool, mix with one size without AN", TestData.ScaleSet(sizes: ["Standard_D4s_v3", "Standard_B2s"]), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.SizeNotSupported),
        new("new pool, mix with one unknown size", TestData.ScaleSet(sizes: ["Standard_D4s_v3", "Standard_Z9_v9"]), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.SizeUnknown),
        new("new pool, opted out by tag", TestData.ScaleSet(tags: OptOut), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.OptedOut),
        new("new pool, opt-out tag compared case-insensitively", TestData.ScaleSet(tags: OptOutUpper), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.OptedOut),
        new("new pool, opt-out tag with another value: enable", TestData.ScaleSet(tags: OptOutOtherValue), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("new pool, subscription out of scope", TestData.ScaleSet(), false, TestData.Policy(onlySubscription: TestData.OtherSubscription), DecisionOutcome.Skip, DecisionReason.OutOfScope),
        new("new pool, still provisioning", TestData.ScaleSet(provisioningState: "Creating"), false, TestData.Policy(), DecisionOutcome.Retry, DecisionReason.ProvisioningInProgress),
        new("new pool, no NIC configuration", TestData.ScaleSet(nicCount: 0), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.NoNetworkInterfaces),
        new("created exactly at the window's edge: new", TestData.ScaleSet(age: TimeSpan.FromMinutes(30)), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("created one second past the window: existing", TestData.ScaleSet(age: TimeSpan.FromMinutes(30).Add(TimeSpan.FromSeconds(1))), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.ExistingPoolOutsideWindow),
        new("created a month ago: existing, AN never touched", TestData.ScaleSet(age: TimeSpan.FromDays(30)), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.ExistingPoolOutsideWindow),
        new("no timeCreated: treated as existing", TestData.ScaleSet(timeCreatedKnown: false), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.CreationTimeUnknown),
        new("known pool inside the window: existing", TestData.ScaleSet(), true, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.ExistingPoolKnown),
        new("new AKS pool (tags) that needs AN: never written", TestData.ScaleSet(tags: Aks), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.AksManaged),
        new("new AKS pool (MC_ resource group): never written", TestData.ScaleSet(resourceGroup: "MC_rg_cluster_westeurope"), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.AksManaged),
        new("known AKS pool: AKS, not just known", TestData.ScaleSet(tags: Aks), true, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.AksManaged),
        new("new AKS pool in dry-run: not even planned", TestData.ScaleSet(tags: Aks), false, TestData.Policy(RunMode.Observe), DecisionOutcome.Skip, DecisionReason.AksManaged),
        new("new Cluster API pool: written like any other", TestData.ScaleSet(tags: Capz), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("new pool, Automatic, 3 running (assumed from capacity)", TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Automatic)), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.AutomaticUpgradePolicy),
        new("new pool, Automatic, capacity 0", TestData.ScaleSet(capacity: 0, upgradePolicy: new(UpgradeMode.Automatic)), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("new pool, Automatic, dry-run: blocked all the same", TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Automatic)), false, TestData.Policy(RunMode.Observe), DecisionOutcome.Skip, DecisionReason.AutomaticUpgradePolicy),
        new("new pool, Rolling 20% of 3", TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Rolling, 20)), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("new pool, Rolling 50% of 3 (batch 2 > 1)", TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Rolling, 50)), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.RollingBatchTooLarge),
        new("new pool, Manual, 3 running: model only", TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Manual)), false, TestData.Policy(), DecisionOutcome.EnableAcceleratedNetworking, DecisionReason.NewPoolEnabled),
        new("existing pool, Automatic: existing wins, no gate needed", TestData.ScaleSet(age: TimeSpan.FromDays(3), upgradePolicy: new(UpgradeMode.Automatic)), false, TestData.Policy(), DecisionOutcome.Skip, DecisionReason.ExistingPoolOutsideWindow),
        new("new pool, Automatic, AN already on: nothing to write", TestData.ScaleSet(an: true, upgradePolicy: new(UpgradeMode.Automatic)), false, TestData.Policy(), DecisionOutcome.NoChange, DecisionReason.AlreadyEnabled),
    ];

    private static readonly Dictionary<string, string> Aks = new() { ["aks-managed-poolName"] = "np1", ["aks-managed-orchestrator"] = "Kubernetes:1.31.2" };
    private static readonly Dictionary<string, string> Capz = new() { ["sigs.k8s.io_cluster-api-provider-azure_cluster_c1"] = "owned" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decide_Case_GivesExpectedOutcomeAndReason(Case c)
    {
        var decision = Decide(c.ScaleSet, c.Known, c.Policy);

        Assert.Equal(c.Outcome, decision.Outcome);
        Assert.Equal(c.Reason, decision.Reason);
        Assert.False(string.IsNullOrWhiteSpace(decision.Explanation));
        Assert.Equal(decision.Outcome is DecisionOutcome.EnableAcceleratedNetworking or DecisionOutcome.WouldEnableAcceleratedNetworking, decision.Write is not null);
        Assert.Equal(decision.Outcome == DecisionOutcome.EnableAcceleratedNetworking, decision.WritesToArm);
        if (c.Reason != DecisionReason.AksManaged)
        {
            // Whether the pool counts as new decides what is recorded and which findings are evaluated: a skip of a
            // pool that is not new (scope, opt-out, known, too old, age unknown) is an existing pool's skip.
            var notNew = c.Reason is DecisionReason.OutOfScope or DecisionReason.OptedOut or DecisionReason.ExistingPoolKnown
                or DecisionReason.CreationTimeUnknown or DecisionReason.ExistingPoolOutsideWindow;
            Assert.Equal(!notNew, decision.IsNewPool);
        }
    }

    [Theory]
    [InlineData(1, false, true)]
    [InlineData(30 * 60, false, true)]
    [InlineData(30 * 60 + 1, false, false)]
    [InlineData(1, true, false)]
    public void Decide_AksPool_NewOnlyWhenUnknownAndInsideTheWindow(int ageSeconds, bool known, bool expectedNew)
    {
        var decision = Decide(TestData.ScaleSet(tags: Aks, age: TimeSpan.FromSeconds(ageSeconds)), known, TestData.Policy());

        Assert.Equal((DecisionReason.AksManaged, expectedNew), (decision.Reason, decision.IsNewPool));
    }

    [Theory]
    [InlineData(3 * 24 * 60 + 4 * 60, "3d4h")]
    [InlineData(24 * 60, "1d0h")]
    [InlineData(24 * 60 - 1, "23h59m")]
    [InlineData(5 * 60 + 7, "5h7m")]
    [InlineData(60, "1h0m")]
    [InlineData(59, "59m0s")]
    [InlineData(45, "45m0s")]
    public void Decide_ExistingPool_ExplanationSaysItsAge(int ageMinutes, string age)
    {
        var decision = Decide(TestData.ScaleSet(age: TimeSpan.FromMinutes(ageMinutes)), false, TestData.Policy());

        Assert.Equal(DecisionReason.ExistingPoolOutsideWindow, decision.Reason);
        Assert.Contains($", {age} before now, outside the new-pool window of 00:30:00", decision.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Creating")]
    [InlineData("Updating")]
    [InlineData("Deleting")]
    [InlineData("Migrating")]
    [InlineData("updating")]
    public void Decide_NewPoolWhileArmIsBusyWithIt_RetryNamingTheState(string state)
    {
        var decision = Decide(TestData.ScaleSet(provisioningState: state), false, TestData.Policy());

        Assert.Equal((DecisionOutcome.Retry, DecisionReason.ProvisioningInProgress, true), (decision.Outcome, decision.Reason, decision.IsNewPool));
        Assert.Contains($"provisioningState {state}", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NewPoolOneNicOfTwoOff_ExplanationNamesOnlyTheNicWithoutAn()
    {
        var scaleSet = TestData.ScaleSet(an: false, nicCount: 2) with
        {
            NetworkInterfaces = [new NetworkInterfaceConfiguration("nic0", true, true), new NetworkInterfaceConfiguration("nic1", false, false)],
        };

        var decision = Decide(scaleSet, false, TestData.Policy());

        Assert.Contains("AN off (nic1)", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_NewPoolTwoNicsOff_ExplanationNamesBothInOrder()
    {
        var decision = Decide(TestData.ScaleSet(an: false, nicCount: 2), false, TestData.Policy());

        Assert.Contains("AN off (nic0, nic1)", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_DryRun_PlansExactlyTheWriteThatWouldBeSent()
    {
        var scaleSet = TestData.ScaleSet();

        var real = Decide(scaleSet, known: false, TestData.Policy());
        var dry = Decide(scaleSet, known: false, TestData.Policy(RunMode.Observe));

        Assert.Equal(real.Write, dry.Write);
    }

    [Fact]
    public void Decide_WriteDue_CarriesTheEtagReadAsIfMatch()
    {
        var decision = Decide(TestData.ScaleSet() with { ETag = "\"42\"" }, known: false, TestData.Policy());

        Assert.Equal("\"42\"", decision.Write!.IfMatch);
        Assert.Equal("PATCH", decision.Write.Method);
    }

    [Fact]
    public void Decide_ExplanationOfExistingPool_NamesCreationTimeAndWindow()
    {
        var decision = Decide(TestData.ScaleSet(age: TimeSpan.FromDays(2)), known: false, TestData.Policy());

        Assert.Contains("2026-11-23T10:00:00Z", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("00:30:00", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_WriteBody_TouchesOnlyTheNetworkProfile()
    {
        var decision = Decide(TestData.ScaleSet(nicCount: 2), known: false, TestData.Policy());

        var body = JsonNode.Parse(decision.Write!.Body)!.AsObject();
        Assert.Equal(["properties"], body.Select(p => p.Key));
        Assert.Equal(["virtualMachineProfile"], body["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["networkProfile"], body["properties"]!["virtualMachineProfile"]!.AsObject().Select(p => p.Key));
        var nics = body["properties"]!["virtualMachineProfile"]!["networkProfile"]!["networkInterfaceConfigurations"]!.AsArray();
        Assert.Equal(2, nics.Count);
        Assert.All(nics, n => Assert.True(n!["properties"]!["enableAcceleratedNetworking"]!.GetValue<bool>()));
    }

    [Fact]
    public void Decide_AksNewPool_IsNewButNeverWrites()
    {
        var decision = Decide(TestData.ScaleSet(tags: Aks), known: false, TestData.Policy());

        Assert.True(decision.IsNewPool);
        Assert.Null(decision.Write);
        Assert.Contains("never writes", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AutomaticWithRunningNodes_BlockedWithTheNodeImpactAndWhatToChange()
    {
        var decision = Decide(TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Automatic)), known: false, TestData.Policy(), TestData.Instances(2, deallocated: 1));

        Assert.True(decision.IsBlockedBySafety);
        Assert.True(decision.IsNewPool);
        Assert.Null(decision.Write);
        Assert.Equal(2, decision.Nodes!.RunningNodes);
        Assert.Contains("all 2 of them", decision.Explanation, StringComparison.Ordinal);
        Assert.Contains("To let the app enable AN", decision.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_AutomaticAllNodesDeallocated_Writes()
    {
        var decision = Decide(TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Automatic)), known: false, TestData.Policy(), TestData.Instances(0, deallocated: 3));

        Assert.True(decision.WritesToArm);
        Assert.Equal(NodeImpactKind.NoRunningNodes, decision.Nodes!.Kind);
    }

    [Fact]
    public void Decide_AutomaticAllowedWithinMaxUnavailable_Writes()
    {
        var safety = new NodeSafetyPolicy(new MaxUnavailable(3, false), AllowAutomaticUpgrade: true);

        var decision = Decide(TestData.ScaleSet(upgradePolicy: new(UpgradeMode.Automatic)), known: false, TestData.Policy(safety: safety), TestData.Instances(3));

        Assert.True(decision.WritesToArm);
        Assert.Equal(3, decision.Nodes!.NodesDownAtOnce);
    }

    [Fact]
    public void Decide_ManualWithRunningNodes_ExplanationSaysTheNodesKeepTheirNics()
    {
        var decision = Decide(TestData.ScaleSet(), known: false, TestData.Policy(), TestData.Instances(3));

        Assert.True(decision.WritesToArm);
        Assert.Equal(NodeImpactKind.ModelOnly, decision.Nodes!.Kind);
        Assert.Contains("keep running without it", decision.Explanation, StringComparison.Ordinal);
    }

    private static PoolDecision Decide(ScaleSetSnapshot scaleSet, bool known, DecisionPolicy policy, IReadOnlyList<PoolInstance>? instances = null) =>
        NewPoolDecider.Decide(new DecisionInput(
            scaleSet,
            known ? TestData.Record(scaleSet) : null,
            AcceleratedNetworkingSupport.Evaluate(scaleSet, TestData.Catalog()),
            policy,
            TestData.Now,
            instances));
}
