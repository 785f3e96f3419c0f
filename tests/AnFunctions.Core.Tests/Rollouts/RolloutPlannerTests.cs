using AnFunctions.Core.Decisions;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.Rollouts;

public sealed class RolloutPlannerTests
{
    private static readonly NodeSafetyPolicy OneNode = NodeSafetyPolicy.Default;
    private static readonly NodeSafetyPolicy TwoNodes = new(new MaxUnavailable(2, false), false);

    private static ScaleSetSnapshot ModelWithAn(IReadOnlyDictionary<string, string>? tags = null, string size = "Standard_D4s_v3") =>
        TestData.ScaleSet(an: true, size: size, tags: tags, age: TimeSpan.FromDays(3));

    private static RolloutPlan Plan(ScaleSetSnapshot scaleSet, IReadOnlyList<PoolInstance> instances, int batchSize, NodeSafetyPolicy? safety = null) =>
        RolloutPlanner.Plan(scaleSet, instances, AcceleratedNetworkingSupport.Evaluate(scaleSet, TestData.Catalog()), batchSize, safety ?? OneNode, "an-automation");

    [Fact]
    public void Plan_FiveRunningWithoutAnBatchesOfTwo_ThreeBatchesInInstanceOrder()
    {
        var plan = Plan(ModelWithAn(), TestData.Instances(5), batchSize: 2, TwoNodes);

        Assert.Null(plan.Refusal);
        Assert.Equal([["0", "1"], ["2", "3"], ["4"]], plan.Batches.Select(b => b.InstanceIds));
        Assert.Equal(plan.Batches.Select(b => b.InstanceIds), plan.Batches.Select(b => b.Running));
        Assert.Equal([0, 1, 2], plan.Batches.Select(b => b.Index));
        Assert.Equal(2, plan.NodesDownAtOnce);
        Assert.All(plan.Batches, b => Assert.Equal(BatchStep.Pending, b.Step));
    }

    [Fact]
    public void Plan_InstanceIdsOutOfOrder_BatchesFollowTheNumericOrder()
    {
        var instances = new[] { "10", "2", "1" }.Select(id => new PoolInstance(id, PowerState.Running, false, false, false)).ToList();

        var plan = Plan(ModelWithAn(), instances, batchSize: 1);

        Assert.Equal([["1"], ["2"], ["10"]], plan.Batches.Select(b => b.InstanceIds));
    }

    [Fact]
    public void Plan_MixedNodes_SkipsThoseWithAnProtectedAndChangingAndKeepsDeallocatedOnesDown()
    {
        List<PoolInstance> instances =
        [
            new("0", PowerState.Running, true, true, false),
            new("1", PowerState.Running, false, false, false),
            new("2", PowerState.Deallocated, false, false, false),
            new("3", PowerState.Running, false, false, true),
            new("4", PowerState.Starting, false, false, false),
        ];

        var plan = Plan(ModelWithAn(), instances, batchSize: 2, TwoNodes);

        var batch = Assert.Single(plan.Batches);
        Assert.Equal(["1", "2"], batch.InstanceIds);
        Assert.Equal(["1"], batch.Running);
        Assert.Equal(1, plan.NodesDownAtOnce);
        Assert.Equal(["3", "4"], plan.Skipped.Select(s => s.InstanceId));
        Assert.Contains("protected", plan.Skipped[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_EveryNodeHasAn_NothingToDo()
    {
        var plan = Plan(ModelWithAn(), TestData.Instances(3, an: true), batchSize: 1);

        Assert.True(plan.NothingToDo);
        Assert.Empty(plan.Batches);
        Assert.Contains("nothing to do", plan.Explanation, StringComparison.Ordinal);
    }

    public static TheoryData<string, ScaleSetSnapshot, int, RolloutRefusal> Refusals() => new()
    {
        { "AKS-managed", ModelWithAn(new Dictionary<string, string> { ["aks-managed-poolName"] = "np1" }), 1, RolloutRefusal.AksManaged },
        { "opted out", ModelWithAn(new Dictionary<string, string> { ["an-automation"] = "disabled" }), 1, RolloutRefusal.OptedOut },
        { "model without AN", TestData.ScaleSet(an: false), 1, RolloutRefusal.ModelWithoutAcceleratedNetworking },
        { "model with AN on one NIC of two", TestData.ScaleSet(an: null, nicCount: 2) with { NetworkInterfaces = [new("a", true, true), new("b", false, false)] }, 1, RolloutRefusal.ModelWithoutAcceleratedNetworking },
        { "size without AN", ModelWithAn(size: "Standard_B2s"), 1, RolloutRefusal.SizeNotSupported },
        { "size unknown in the region", ModelWithAn(size: "Standard_Z9_v9"), 1, RolloutRefusal.SizeNotSupported },
        { "batch above MaxUnavailable", ModelWithAn(), 2, RolloutRefusal.BatchTooLarge },
        { "batch of zero", ModelWithAn(), 0, RolloutRefusal.BatchTooLarge },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Plan_WhatMustNotBeRolledOut_IsRefusedWithNoBatch(string name, ScaleSetSnapshot scaleSet, int batchSize, RolloutRefusal refusal)
    {
        var plan = Plan(scaleSet, TestData.Instances(3), batchSize);

        Assert.True(plan.IsRefused, name);
        Assert.Equal(refusal, plan.Refusal);
        Assert.Empty(plan.Batches);
        Assert.False(string.IsNullOrWhiteSpace(plan.Explanation));
    }

    [Fact]
    public void Plan_PercentBudget_BatchCheckedAgainstThePoolsInstances()
    {
        var twentyPercent = new NodeSafetyPolicy(new MaxUnavailable(20, true), false);

        Assert.False(Plan(ModelWithAn(), TestData.Instances(10), batchSize: 2, twentyPercent).IsRefused);
        Assert.Equal(RolloutRefusal.BatchTooLarge, Plan(ModelWithAn(), TestData.Instances(10), batchSize: 3, twentyPercent).Refusal);
        Assert.Equal(RolloutRefusal.BatchTooLarge, Plan(ModelWithAn(), TestData.Instances(4), batchSize: 1, twentyPercent).Refusal);
    }

    [Fact]
    public void Plan_NullArgument_ThrowsNamingIt()
    {
        var scaleSet = ModelWithAn();
        var instances = TestData.Instances(3);
        var support = AcceleratedNetworkingSupport.Evaluate(scaleSet, TestData.Catalog());

        Assert.Equal("scaleSet", Assert.Throws<ArgumentNullException>(() => RolloutPlanner.Plan(null!, instances, support, 1, OneNode, "an-automation")).ParamName);
        Assert.Equal("instances", Assert.Throws<ArgumentNullException>(() => RolloutPlanner.Plan(scaleSet, null!, support, 1, OneNode, "an-automation")).ParamName);
        Assert.Equal("support", Assert.Throws<ArgumentNullException>(() => RolloutPlanner.Plan(scaleSet, instances, null!, 1, OneNode, "an-automation")).ParamName);
        Assert.Equal("safety", Assert.Throws<ArgumentNullException>(() => RolloutPlanner.Plan(scaleSet, instances, support, 1, null!, "an-automation")).ParamName);
    }

    [Fact]
    public void NodesDownAtOnce_NoBatch_Zero()
    {
        Assert.Equal(0, Plan(ModelWithAn(), TestData.Instances(3, an: true), batchSize: 1).NodesDownAtOnce);
        Assert.Equal(0, Plan(TestData.ScaleSet(an: false), TestData.Instances(3), batchSize: 1).NodesDownAtOnce);
    }

    [Fact]
    public void Plan_NonNumericInstanceIds_AfterTheNumericOnesInOrdinalOrder()
    {
        var instances = new[] { "vm-b", "7", "vm-a", "vm-c" }.Select(id => new PoolInstance(id, PowerState.Running, false, false, false)).ToList();

        var plan = Plan(ModelWithAn(), instances, batchSize: 1);

        Assert.Equal([["7"], ["vm-a"], ["vm-b"], ["vm-c"]], plan.Batches.Select(b => b.InstanceIds));
    }

    [Fact]
    public void Plan_SkippedInstances_ReasonNamesWhy()
    {
        List<PoolInstance> instances =
        [
            new("0", PowerState.Running, true, false, true),
            new("1", PowerState.Stopping, true, false, false),
            new("2", PowerState.Deallocating, true, false, false),
            new("3", PowerState.Starting, false, false, false),
        ];

        var plan = Plan(ModelWithAn(), instances, batchSize: 1);

        Assert.Equal(
            [
                new SkippedInstance("0", "protected from scale-set actions: never touched"),
                new SkippedInstance("1", "power state Stopping: changing, left alone"),
                new SkippedInstance("2", "power state Deallocating: changing, left alone"),
                new SkippedInstance("3", "power state Starting: changing, left alone"),
            ],
            plan.Skipped);
        Assert.Equal("nothing to do: every node that may be touched runs with AN (4 instance(s), 4 left alone)", plan.Explanation);
    }

    [Fact]
    public void Plan_BatchesOfUnevenRunningNodes_ExplanationCountsTheMostDownAtOnce()
    {
        List<PoolInstance> instances =
        [
            new("0", PowerState.Running, true, false, false),
            new("1", PowerState.Running, true, false, false),
            new("2", PowerState.Deallocated, false, false, false),
            new("3", PowerState.Running, true, true, false),
        ];

        var plan = Plan(ModelWithAn(), instances, batchSize: 2, TwoNodes);

        Assert.Equal([["0", "1"], ["2"]], plan.Batches.Select(b => b.InstanceIds));
        Assert.Equal(2, plan.NodesDownAtOnce);
        Assert.Equal(
            "3 node(s) without AN in 2 batch(es) of at most 2: each batch is deallocated, brought to the latest model (AN) and started again before the next; at most 2 node(s) down at once, within MaxUnavailable 2 (2)",
            plan.Explanation);
    }
}
