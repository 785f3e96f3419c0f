using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.Findings;

/// <summary>
/// The words of each finding are pinned, each conditional wording on both sides: they are what the person paged
/// reads. A remedy that names the owner's tools is <see cref="Remedies"/>' text (pinned in <see cref="RemediesTests"/>).
/// </summary>
public sealed class FindingTextsTests
{
    private static readonly ScaleSetSnapshot Pool = TestData.ScaleSet(size: "Standard_D8s_v3", an: true);
    private static readonly string NewPoolRemedy = Remedies.NewPool(Provisioner.Unknown, Pool.Id, "Standard_D8s_v3");
    private static readonly Provisioner Aks = new(PoolOwner.Aks, "prod-weu", "np1", "k8s-prod");

    [Theory]
    [InlineData(true, "on")]
    [InlineData(false, "off")]
    [InlineData(null, "unknown")]
    public void SizeChanged_AnySetting_NamesBothSizesAndTheSetting(bool? an, string word)
    {
        var draft = FindingTexts.SizeChanged(Pool, new FindingEvidence { PreviousSizes = ["Standard_D4s_v3"], AcceleratedNetworking = an });

        Assert.Equal((FindingKind.SizeChanged, FindingSeverity.Info), (draft.Kind, draft.Severity));
        Assert.Equal("VM size of nodepool-a1b2c changed from Standard_D4s_v3 to Standard_D8s_v3", draft.Message);
        Assert.Equal($"AN stays {word}, which is consistent with Standard_D8s_v3.", draft.Consequence);
        Assert.Equal("Nothing to do for AN. Existing instances keep their old size until they are reimaged or replaced.", draft.Remedy);
    }

    [Fact]
    public void Sizes_NoneOneOrMany_UnknownOrJoinedWithPlus()
    {
        Assert.Equal("(unknown size)", FindingTexts.Sizes([]));
        Assert.Equal("Standard_D4s_v3", FindingTexts.Sizes(["Standard_D4s_v3"]));
        Assert.Equal("Standard_D4s_v3 + Standard_D8s_v3", FindingTexts.Sizes(["Standard_D4s_v3", "Standard_D8s_v3"]));
    }

    [Fact]
    public void ResizedWithoutAn_PinsItsWords()
    {
        var draft = FindingTexts.ResizedWithoutAn(Pool, new FindingEvidence { PreviousSizes = [] });

        Assert.Equal((FindingKind.SizeChangedWithoutAcceleratedNetworking, FindingSeverity.Warning), (draft.Kind, draft.Severity));
        Assert.Equal("nodepool-a1b2c was resized from (unknown size) to Standard_D8s_v3, which supports AN, but the pool has AN off", draft.Message);
        Assert.Equal("Changing the VM size does not turn AN on: this pool keeps running without Accelerated Networking (higher latency, jitter and CPU use).", draft.Consequence);
        Assert.Equal(NewPoolRemedy, draft.Remedy);
    }

    [Theory]
    [InlineData(true, "nodepool-a1b2c has AN on and was resized from Standard_D4s_v3 to Standard_D8s_v3, which does not support AN")]
    [InlineData(false, "nodepool-a1b2c has AN on but runs Standard_D8s_v3, which does not support AN in westeurope")]
    public void OnUnsupportedSize_ResizedOrNot_MessageSaysWhich(bool resized, string message)
    {
        var draft = FindingTexts.OnUnsupportedSize(Pool, new FindingEvidence { PreviousSizes = ["Standard_D4s_v3"], SizeSupport = "Standard_D8s_v3: not supported" }, resized);

        Assert.Equal((FindingKind.AcceleratedNetworkingOnUnsupportedSize, FindingSeverity.Critical), (draft.Kind, draft.Severity));
        Assert.Equal(message, draft.Message);
        Assert.Equal("Instances cannot get this size with AN on: Azure refuses them (VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss), so scale-out and reimage fail.", draft.Consequence);
        Assert.Equal($"Set the pool back to a size that supports AN, or replace it: {NewPoolRemedy} (the new pool gets AN off when its size does not support it). Evidence: Standard_D8s_v3: not supported", draft.Remedy);
    }

    [Fact]
    public void Lost_SomeNicsOff_NamesOnlyTheNicsWithoutAn()
    {
        var pool = Pool with
        {
            NetworkInterfaces = [new("nic0", true, true), new("nic1", false, false), new("nic2", false, null), new("nic3", false, true)],
        };

        var draft = FindingTexts.Lost(pool, new FindingEvidence());

        Assert.Equal((FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical), (draft.Kind, draft.Severity));
        Assert.Equal("nodepool-a1b2c had AN and no longer has it on every network interface configuration (off on nic1, nic2)", draft.Message);
        Assert.Equal("New and reimaged instances come up without Accelerated Networking. The app never turns AN off: someone or something changed the model.", draft.Consequence);
        Assert.Equal($"Find who changed the model (Activity Log, correlation id in the evidence). The app does not re-enable AN on an existing pool: {NewPoolRemedy}", draft.Remedy);
    }

    [Fact]
    public void AvailableButOff_PinsItsWordsAndTheGivenSeverity()
    {
        var draft = FindingTexts.AvailableButOff(Pool, new FindingEvidence(), FindingSeverity.Critical);

        Assert.Equal((FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Critical), (draft.Kind, draft.Severity));
        Assert.Equal("nodepool-a1b2c runs Standard_D8s_v3, which supports AN, but was created without it", draft.Message);
        Assert.Equal("This pool runs without Accelerated Networking although its size supports it at no extra cost.", draft.Consequence);
        Assert.Equal(NewPoolRemedy, draft.Remedy);
    }

    [Fact]
    public void Refused_AnIncompatibleWithAnOwner_WarningNamingTheOwnersToolsForTheAttemptedSize()
    {
        var evidence = new FindingEvidence { AttemptedSizes = ["Standard_B2s"], ErrorCode = "VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss", ErrorMessage = "size has no AN" };

        var draft = FindingTexts.Refused(Pool.Id, ["Standard_D8s_v3"], true, evidence, anIncompatible: true, owner: Aks);

        Assert.Equal((FindingKind.SizeChangeRefused, FindingSeverity.Warning), (draft.Kind, draft.Severity));
        Assert.Equal("A change of nodepool-a1b2c to Standard_B2s was refused by Azure (VMSizeIsNotPermittedToEnableAcceleratedNetworkingForVmss: size has no AN)", draft.Message);
        Assert.Equal("The pool keeps Standard_D8s_v3 with AN on; Standard_B2s cannot run with the pool's AN setting, and AN cannot be changed on an existing pool.", draft.Consequence);
        Assert.Equal(Remedies.NewPool(Aks, Pool.Id, "Standard_B2s"), draft.Remedy);
        Assert.Same(evidence, draft.Evidence);
    }

    [Fact]
    public void Refused_AnIncompatibleWithoutOwner_PlainSteps()
    {
        var draft = FindingTexts.Refused(Pool.Id, ["Standard_D8s_v3"], null, new FindingEvidence { AttemptedSizes = ["Standard_B2s"] }, anIncompatible: true);

        Assert.Equal("The pool keeps Standard_D8s_v3 with AN unknown; Standard_B2s cannot run with the pool's AN setting, and AN cannot be changed on an existing pool.", draft.Consequence);
        Assert.Equal(Remedies.NewPool(Provisioner.Unknown, Pool.Id, "Standard_B2s"), draft.Remedy);
    }

    [Fact]
    public void Refused_OtherCauseWithoutDetailsYet_InfoSayingTheSizeAndErrorAreNotKnown()
    {
        var draft = FindingTexts.Refused(Pool.Id, ["Standard_D8s_v3"], false, new FindingEvidence(), anIncompatible: false, owner: Aks);

        Assert.Equal((FindingKind.SizeChangeRefused, FindingSeverity.Info), (draft.Kind, draft.Severity));
        Assert.Equal("A change of nodepool-a1b2c to an unknown size was refused by Azure (no error details yet (the Activity Log lags; a later lookup completes this finding))", draft.Message);
        Assert.Equal("The pool keeps Standard_D8s_v3 with AN off.", draft.Consequence);
        Assert.Equal("Read the error and retry the change once its cause is fixed; a size change never changes AN: if the new size should have AN, use a new pool instead.", draft.Remedy);
    }

    [Fact]
    public void WriteBlocked_PinsItsWordsWithTheGatesExplanationAndChange()
    {
        var nodes = new NodeImpact(false, NodeImpactKind.AutomaticUpgrade, UpgradePolicy.Absent, 3, 3, 3, 1, true, "3 nodes would restart at once", Change: "set the upgrade policy to Manual");

        var draft = FindingTexts.WriteBlocked(Pool, nodes, TimeSpan.FromMinutes(15), new FindingEvidence());

        Assert.Equal((FindingKind.AcceleratedNetworkingWriteBlocked, FindingSeverity.Warning), (draft.Kind, draft.Severity));
        Assert.Equal("AN was not enabled on the new pool nodepool-a1b2c: 3 nodes would restart at once", draft.Message);
        Assert.Equal("The pool runs without Accelerated Networking although its size supports it; once it is no longer new, only a new pool can get AN.", draft.Consequence);
        Assert.Equal(
            $"To let the app enable AN: set the upgrade policy to Manual, then reconcile the pool while it is new (POST /api/pools/reconcile or `an reconcile {Pool.Id.Value}`, within the new-pool window of 00:15:00). " +
            $"After that: {NewPoolRemedy}",
            draft.Remedy);
    }

    [Fact]
    public void NodesWithoutAn_PinsItsWordsAndTheRollOutRemedy()
    {
        var draft = FindingTexts.NodesWithoutAn(Pool.Id, Aks, new InstanceCounts(5, 5, 2, 5, 0), FindingSeverity.Warning, new FindingEvidence());

        Assert.Equal((FindingKind.NodesWithoutAcceleratedNetworking, FindingSeverity.Warning), (draft.Kind, draft.Severity));
        Assert.Equal("3 of 5 node(s) of nodepool-a1b2c run without AN", draft.Message);
        Assert.Equal("The pool's model has AN, but these nodes were running when it was enabled and keep their old NICs (a VM changes AN only while deallocated): the pool is mixed until they are rolled out or replaced.", draft.Consequence);
        Assert.Equal(Remedies.RollOut(Aks, Pool.Id), draft.Remedy);
    }

    [Theory]
    [InlineData("LinkedAuthorizationFailed", "LinkedAuthorizationFailed")]
    [InlineData(null, "none given")]
    public void WriteFailed_WithOrWithoutErrorCode_NamesItOrSaysNoneGiven(string? code, string named)
    {
        var draft = FindingTexts.WriteFailed(Pool, "the operation failed", new FindingEvidence { ErrorCode = code });

        Assert.Equal((FindingKind.AcceleratedNetworkingWriteFailed, FindingSeverity.Warning), (draft.Kind, draft.Severity));
        Assert.Equal("Enabling AN on the new pool nodepool-a1b2c failed: the operation failed", draft.Message);
        Assert.Equal("The pool runs without Accelerated Networking although its size supports it, and the app will not try again: once a pool is no longer new, only a new pool can get AN.", draft.Consequence);
        Assert.Equal(
            $"Read the error ({named}) and fix its cause (permissions to join the subnets and load balancer pools the NICs use, quota, a policy). Then, while the pool is still new, reconcile it again (POST /api/pools/reconcile or `an reconcile {Pool.Id.Value}`); later: {NewPoolRemedy}",
            draft.Remedy);
    }
}
