using AnFunctions.Core.Arm;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.Explain;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.Core.State;
using AnFunctions.Core.Tests.Events;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.Rollouts;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Explain;

public sealed class PoolExplainerTests
{
    private readonly IScaleSetClient _arm = Substitute.For<IScaleSetClient>();
    private readonly IVmSizeCatalogProvider _catalogs = Substitute.For<IVmSizeCatalogProvider>();
    private readonly InMemoryStateStore _state = new();
    private readonly InMemoryFindingStore _findings = new();
    private readonly AcceleratedNetworkingOptions _settings = new();
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly PoolExplainer _explainer;
    private IReadOnlyList<PoolInstance> _instances = [];

    public PoolExplainerTests()
    {
        _arm.GetAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).Returns(_ => ScaleSet);
        _arm.ListInstancesAsync(Arg.Any<ScaleSetId>(), Arg.Any<CancellationToken>()).Returns(_ => _instances);
        _catalogs.GetAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(TestData.Catalog());
        var settings = CoreWiring.Monitor(_settings);
        var reconciler = CoreWiring.Reconciler(_arm, _catalogs, _state, CoreWiring.Engine(_findings, _time), settings, _time);
        _explainer = new PoolExplainer(_arm, reconciler, _state, _findings, settings);
    }

    /// <summary>What ARM answers for the pool; null for one that does not exist.</summary>
    private ScaleSetSnapshot? ScaleSet { get; set; } = TestData.ScaleSet(an: false, capacity: 0);

    private static ScaleSetId Id => TestData.Id();

    private async Task<PoolExplanation> ExplainAsync()
    {
        var result = await _explainer.ExplainAsync(Id, CancellationToken.None);
        Assert.Equal(ExplainStatus.Explained, result.Status);
        return result.Explanation!;
    }

    private async Task AssertNothingWrittenAsync()
    {
        Assert.Null(await _state.GetPoolAsync(Id, CancellationToken.None));
        Assert.Empty(await _state.GetDecisionsAsync(Id, 100, CancellationToken.None));
        Assert.Empty(await _findings.ListForPoolAsync(Id, CancellationToken.None));
        await _arm.DidNotReceiveWithAnyArgs().SendAsync(default!, default);
        await _arm.DidNotReceiveWithAnyArgs().RunInstanceActionAsync(default!, default, default!, default);
    }

    [Fact]
    public async Task Explain_NewPoolWithoutAn_DescribesTheScaleSetAndPreviewsTheWriteWithoutMakingIt()
    {
        var explanation = await ExplainAsync();

        Assert.Equal(Id.Value, explanation.ResourceId);
        Assert.Equal(("westeurope", "Standard_D4s_v3", 0L, "Succeeded"), (explanation.Location, explanation.SkuName, explanation.Capacity, explanation.ProvisioningState));
        Assert.Equal(["Standard_D4s_v3"], explanation.VmSizes);
        Assert.Equal(TestData.Now.AddMinutes(-1), explanation.TimeCreated);
        Assert.Equal(SupportVerdict.Supported, explanation.Support);
        var size = Assert.Single(explanation.Sizes);
        Assert.Equal(("Standard_D4s_v3", SupportVerdict.Supported, true, true, (string?)null), (size.VmSize, size.Verdict, size.AcceleratedNetworkingCapable, size.Available, size.RestrictionReason));
        Assert.Equal("SKU capability AcceleratedNetworkingEnabled=True, no restriction", size.Evidence);
        Assert.Equal(TestData.Now.AddHours(-1), explanation.SkuListReadAt);
        Assert.Equal([new NicExplanation("nic0", true, false)], explanation.NetworkInterfaces);
        Assert.False(explanation.AcceleratedNetworkingOnAll);
        Assert.Equal(UpgradePolicy.Absent.ToString(), explanation.UpgradePolicy);
        Assert.Equal(new OwnerExplanation(PoolOwner.Unknown, null, null, true), explanation.Owner);
        Assert.Equal(InstanceCounts.None, explanation.Nodes.Counts);
        Assert.Empty(explanation.Nodes.Instances);
        var decision = explanation.Decision;
        Assert.Equal((DecisionOutcome.WouldEnableAcceleratedNetworking, true, "PATCH"), (decision.Outcome, decision.IsNewPool, decision.WriteMethod));
        Assert.Equal(DecisionReason.DryRun, decision.Reason);
        Assert.Equal(
            "new pool on an AN-capable size with AN off (nic0); dry-run: the PATCH is planned, not sent; no node runs yet (0 of 0 instance(s) run): nothing to disrupt; every instance created from now on gets AN",
            decision.Explanation);
        Assert.Contains("\"enableAcceleratedNetworking\":true", decision.WriteBody, StringComparison.Ordinal);
        var scope = explanation.Scope;
        Assert.Equal((true, "an-automation", (string?)null, false, false), (scope.InScope, scope.OptOutTag, scope.OptOutTagValue, scope.OptedOut, scope.DryRunSetting));
        Assert.Empty(scope.Subscriptions);
        Assert.Null(explanation.Record);
        Assert.False(explanation.RecordIsOfAnEarlierPool);
        Assert.Empty(explanation.RecentDecisions);
        Assert.Empty(explanation.OpenFindings);
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task Explain_SubscriptionOutOfScope_OutOfScopeWithoutReadingArm()
    {
        _settings.Subscriptions = TestData.OtherSubscription;

        var result = await _explainer.ExplainAsync(Id, CancellationToken.None);

        Assert.Equal(new PoolExplainResult(ExplainStatus.OutOfScope, null), result);
        await _arm.DidNotReceiveWithAnyArgs().GetAsync(default!, default);
    }

    [Fact]
    public async Task Explain_ScaleSetGone_NotFoundWithoutListingInstances()
    {
        ScaleSet = null;

        var result = await _explainer.ExplainAsync(Id, CancellationToken.None);

        Assert.Equal(new PoolExplainResult(ExplainStatus.NotFound, null), result);
        await _arm.DidNotReceiveWithAnyArgs().ListInstancesAsync(default!, default);
        await _catalogs.DidNotReceiveWithAnyArgs().GetAsync(default!, default!, default);
    }

    [Fact]
    public async Task Explain_Scope_SubscriptionsInOrderTheOptOutTagAndTheDryRunSetting()
    {
        _settings.Subscriptions = $"{TestData.OtherSubscription},{TestData.Subscription}";
        _settings.OptOutTag = "team-automation";
        _settings.DryRun = true;
        ScaleSet = TestData.ScaleSet(an: false, capacity: 0, tags: new Dictionary<string, string> { ["team-automation"] = "Disabled" });

        var scope = (await ExplainAsync()).Scope;

        Assert.True(scope.InScope);
        Assert.Equal([TestData.Subscription, TestData.OtherSubscription], scope.Subscriptions);
        Assert.Equal(("team-automation", "Disabled", true, true), (scope.OptOutTag, scope.OptOutTagValue, scope.OptedOut, scope.DryRunSetting));
    }

    [Theory]
    [InlineData("enabled", false)]
    [InlineData("disabled", true)]
    [InlineData("DISABLED", true)]
    public async Task Explain_OptOutTagValue_OptedOutOnlyWhenDisabled(string value, bool optedOut)
    {
        ScaleSet = TestData.ScaleSet(an: false, capacity: 0, tags: new Dictionary<string, string> { ["an-automation"] = value });

        var scope = (await ExplainAsync()).Scope;

        Assert.Equal((value, optedOut), (scope.OptOutTagValue, scope.OptedOut));
    }

    [Fact]
    public async Task Explain_AksPool_OwnerWithClusterAndNodePoolAndNoWrites()
    {
        ScaleSet = TestData.ScaleSet(an: false, capacity: 0, tags: new Dictionary<string, string>
        {
            ["aks-managed-poolName"] = "np1",
            ["aks-managed-cluster-name"] = "prod-weu",
        });

        var explanation = await ExplainAsync();

        Assert.Equal(new OwnerExplanation(PoolOwner.Aks, "prod-weu", "np1", false), explanation.Owner);
        Assert.Null(explanation.Decision.WriteMethod);
        Assert.Null(explanation.Decision.WriteBody);
    }

    [Fact]
    public async Task Explain_SizesOfEveryKind_EachWithItsCatalogEvidence()
    {
        ScaleSet = TestData.ScaleSet(an: false, capacity: 0, sizes: ["Standard_D4s_v3", "Standard_B2s", "Standard_E4s_v5", "Standard_Z9_v9"]);

        var explanation = await ExplainAsync();

        Assert.Equal(SupportVerdict.NotSupported, explanation.Support);
        Assert.Equal(
            [
                ("Standard_D4s_v3", SupportVerdict.Supported, (bool?)true, (bool?)true, (string?)null),
                ("Standard_B2s", SupportVerdict.NotSupported, false, true, null),
                ("Standard_E4s_v5", SupportVerdict.NotSupported, true, false, "NotAvailableForSubscription"),
                ("Standard_Z9_v9", SupportVerdict.Unknown, null, null, null),
            ],
            explanation.Sizes.Select(s => (s.VmSize, s.Verdict, s.AcceleratedNetworkingCapable, s.Available, s.RestrictionReason)));
        Assert.Equal("Mix", explanation.SkuName);
        Assert.Equal(
            [
                "SKU capability AcceleratedNetworkingEnabled=True, no restriction",
                "SKU capability AcceleratedNetworkingEnabled is not True",
                "restricted in the region for the subscription (NotAvailableForSubscription)",
                "not in the region's SKU list",
            ],
            explanation.Sizes.Select(s => s.Evidence));
    }

    [Fact]
    public async Task Explain_ModelWithAnOnTwoNics_EachNicAndTheNodesAsListed()
    {
        ScaleSet = TestData.ScaleSet(an: true, nicCount: 2, capacity: 3, age: TimeSpan.FromDays(3));
        _instances =
        [
            new("0", PowerState.Running, true, true, false),
            new("1", PowerState.Running, false, false, false),
            new("2", PowerState.Deallocated, false, false, true),
        ];

        var explanation = await ExplainAsync();

        Assert.Equal([new NicExplanation("nic0", true, true), new NicExplanation("nic1", false, true)], explanation.NetworkInterfaces);
        Assert.True(explanation.AcceleratedNetworkingOnAll);
        Assert.Same(_instances, explanation.Nodes.Instances);
        Assert.Equal(new InstanceCounts(3, 2, 1, 1, 1), explanation.Nodes.Counts);
        await _arm.Received(1).ListInstancesAsync(Id, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Explain_RecordOfThisPool_ShownAsItsOwn()
    {
        ScaleSet = TestData.ScaleSet(an: false, capacity: 0, age: TimeSpan.FromDays(3));
        var stored = await _state.SavePoolAsync(TestData.Record(ScaleSet) with { Version = null }, CancellationToken.None);

        var explanation = await ExplainAsync();

        Assert.Equal(stored, explanation.Record);
        Assert.False(explanation.RecordIsOfAnEarlierPool);
        Assert.False(explanation.Decision.IsNewPool);
    }

    [Fact]
    public async Task Explain_RecordOfAPoolDeletedUnderTheSameId_ShownAsAnEarlierPools()
    {
        var stored = await _state.SavePoolAsync(TestData.Record(ScaleSet!) with { Version = null, Status = PoolStatus.Deleted }, CancellationToken.None);

        var explanation = await ExplainAsync();

        Assert.Equal(stored, explanation.Record);
        Assert.True(explanation.RecordIsOfAnEarlierPool);
    }

    [Fact]
    public async Task Explain_ManyDecisions_TheLastTenNewestFirst()
    {
        for (var i = 0; i < 12; i++)
        {
            await _state.AppendDecisionAsync(new DecisionRecord
            {
                PoolId = Id,
                At = TestData.Now.AddMinutes(-60 + i),
                Outcome = DecisionOutcome.Skip,
                Reason = DecisionReason.ExistingPoolKnown,
                Explanation = $"decision {i}",
                Trigger = "audit",
            }, CancellationToken.None);
        }

        var explanation = await ExplainAsync();

        Assert.Equal(10, PoolExplainer.RecentDecisionCount);
        Assert.Equal(Enumerable.Range(2, 10).Reverse().Select(i => $"decision {i}"), explanation.RecentDecisions.Select(d => d.Explanation));
    }

    [Fact]
    public async Task Explain_FindingsOpenAndResolved_OnlyTheOpenOnes()
    {
        var open = TestData.OpenFinding(new FindingDraft(FindingKind.AcceleratedNetworkingAvailableButOff, FindingSeverity.Info, "off", "slower", "recreate", new FindingEvidence()));
        var resolved = TestData.OpenFinding(new FindingDraft(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Warning, "lost", "slower", "recreate", new FindingEvidence())) with
        {
            Status = FindingStatus.Resolved,
            ResolvedAt = TestData.Now,
        };
        var saved = await _findings.SaveAsync(open, [], CancellationToken.None);
        await _findings.SaveAsync(resolved, [], CancellationToken.None);

        var explanation = await ExplainAsync();

        Assert.Equal([saved], explanation.OpenFindings);
    }
}
