using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;

namespace AnFunctions.Core.Tests.Decisions;

/// <summary>The safety gate as a decision table: every upgrade mode × instances × setting.</summary>
public sealed class NodeSafetyGateTests
{
    public sealed record Case(
        string Name,
        UpgradePolicy Policy,
        long Capacity,
        IReadOnlyList<PoolInstance>? Instances,
        NodeSafetyPolicy Safety,
        bool Allowed,
        NodeImpactKind Kind,
        int DownAtOnce,
        DecisionReason? Blocked = null)
    {
        public override string ToString() => Name;
    }

    private static readonly UpgradePolicy Manual = new(UpgradeMode.Manual);
    private static readonly UpgradePolicy Automatic = new(UpgradeMode.Automatic);
    private static UpgradePolicy Rolling(int percent = 20) => new(UpgradeMode.Rolling, percent);
    private static NodeSafetyPolicy Max(string value, bool allowAutomatic = false) =>
        new(MaxUnavailable.TryParse(value, out var max) ? max : throw new ArgumentException(value), allowAutomatic);

    private static readonly NodeSafetyPolicy Default = NodeSafetyPolicy.Default;

    public static TheoryData<Case> Cases() =>
    [
        // No node runs: nothing to disrupt, whatever the policy.
        new("manual, capacity 0", Manual, 0, null, Default, true, NodeImpactKind.NoRunningNodes, 0),
        new("automatic, capacity 0", Automatic, 0, null, Default, true, NodeImpactKind.NoRunningNodes, 0),
        new("rolling, capacity 0", Rolling(), 0, null, Default, true, NodeImpactKind.NoRunningNodes, 0),
        new("automatic, 3 instances all deallocated", Automatic, 3, TestData.Instances(0, deallocated: 3), Default, true, NodeImpactKind.NoRunningNodes, 0),
        new("automatic, 2 running but protected", Automatic, 2, TestData.Instances(0, protectedRunning: 2), Default, true, NodeImpactKind.NoRunningNodes, 0),
        new("automatic, listed none although capacity says 3", Automatic, 3, [], Default, true, NodeImpactKind.NoRunningNodes, 0),

        // Manual (or absent): the model only; never restarts anything.
        new("manual, 5 running", Manual, 5, TestData.Instances(5), Default, true, NodeImpactKind.ModelOnly, 0),
        new("absent policy, 5 running", UpgradePolicy.Absent, 5, TestData.Instances(5), Default, true, NodeImpactKind.ModelOnly, 0),
        new("manual, 5 running, MaxUnavailable 0", Manual, 5, TestData.Instances(5), Max("0"), true, NodeImpactKind.ModelOnly, 0),
        new("manual, not listed, capacity 4", Manual, 4, null, Default, true, NodeImpactKind.ModelOnly, 0),

        // Automatic with running nodes: off unless allowed, and then only within MaxUnavailable.
        new("automatic, 3 running, default settings", Automatic, 3, TestData.Instances(3), Default, false, NodeImpactKind.AutomaticUpgrade, 3, DecisionReason.AutomaticUpgradePolicy),
        new("automatic, 1 running, default settings", Automatic, 1, TestData.Instances(1), Default, false, NodeImpactKind.AutomaticUpgrade, 1, DecisionReason.AutomaticUpgradePolicy),
        new("automatic, 1 running, allowed, max 1", Automatic, 1, TestData.Instances(1), Max("1", allowAutomatic: true), true, NodeImpactKind.AutomaticUpgrade, 1),
        new("automatic, 3 running, allowed, max 1", Automatic, 3, TestData.Instances(3), Max("1", allowAutomatic: true), false, NodeImpactKind.AutomaticUpgrade, 3, DecisionReason.AutomaticUpgradePolicy),
        new("automatic, 3 running, allowed, max 3", Automatic, 3, TestData.Instances(3), Max("3", allowAutomatic: true), true, NodeImpactKind.AutomaticUpgrade, 3),
        new("automatic, 2 running 1 protected, allowed, max 2", Automatic, 3, TestData.Instances(2, protectedRunning: 1), Max("2", allowAutomatic: true), true, NodeImpactKind.AutomaticUpgrade, 2),
        new("automatic, 10 running, allowed, max 50%", Automatic, 10, TestData.Instances(10), Max("50%", allowAutomatic: true), false, NodeImpactKind.AutomaticUpgrade, 10, DecisionReason.AutomaticUpgradePolicy),
        new("automatic, not listed, capacity 2, allowed, max 1: assumes 2 run", Automatic, 2, null, Max("1", allowAutomatic: true), false, NodeImpactKind.AutomaticUpgrade, 2, DecisionReason.AutomaticUpgradePolicy),

        // Rolling: one batch (maxBatchInstancePercent of the instances, rounded up, at least one) within MaxUnavailable.
        new("rolling 20%, 5 running, max 1", Rolling(20), 5, TestData.Instances(5), Default, true, NodeImpactKind.RollingUpgrade, 1),
        new("rolling 20%, 10 running, max 1", Rolling(20), 10, TestData.Instances(10), Default, false, NodeImpactKind.RollingUpgrade, 2, DecisionReason.RollingBatchTooLarge),
        new("rolling 20%, 10 running, max 2", Rolling(20), 10, TestData.Instances(10), Max("2"), true, NodeImpactKind.RollingUpgrade, 2),
        new("rolling 20%, 10 running, max 20%", Rolling(20), 10, TestData.Instances(10), Max("20%"), true, NodeImpactKind.RollingUpgrade, 2),
        new("rolling 50%, 4 running, max 25%", Rolling(50), 4, TestData.Instances(4), Max("25%"), false, NodeImpactKind.RollingUpgrade, 2, DecisionReason.RollingBatchTooLarge),
        new("rolling 20%, 3 running, max 20% (rounds down to 0)", Rolling(20), 3, TestData.Instances(3), Max("20%"), false, NodeImpactKind.RollingUpgrade, 1, DecisionReason.RollingBatchTooLarge),
        new("rolling 100%, 4 instances, 1 running", Rolling(100), 4, TestData.Instances(1, deallocated: 3), Default, true, NodeImpactKind.RollingUpgrade, 1),
        new("rolling 20%, 1 running, max 0", Rolling(20), 1, TestData.Instances(1), Max("0"), false, NodeImpactKind.RollingUpgrade, 1, DecisionReason.RollingBatchTooLarge),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Assess_Case_AllowsOrBlocksWithTheNodesDownAtOnce(Case c)
    {
        var scaleSet = TestData.ScaleSet(capacity: c.Capacity, upgradePolicy: c.Policy);

        var impact = NodeSafetyGate.Assess(scaleSet, c.Instances, c.Safety);

        Assert.Equal(c.Allowed, impact.Allowed);
        Assert.Equal(c.Kind, impact.Kind);
        Assert.Equal(c.DownAtOnce, impact.NodesDownAtOnce);
        Assert.Equal(c.Blocked, impact.BlockedReason);
        Assert.Equal(c.Allowed, impact.Change is null);
        Assert.False(string.IsNullOrWhiteSpace(impact.Explanation));
        if (impact.Allowed)
        {
            Assert.True(impact.NodesDownAtOnce <= Math.Max(impact.Budget, 0) || impact.Kind is NodeImpactKind.ModelOnly or NodeImpactKind.NoRunningNodes);
        }
    }

    [Fact]
    public void Assess_AutomaticBlocked_ExplanationNamesThePolicyAndTheSetting()
    {
        var impact = NodeSafetyGate.Assess(TestData.ScaleSet(upgradePolicy: Automatic), TestData.Instances(3), Default);

        Assert.Contains("upgrade policy Automatic", impact.Explanation, StringComparison.Ordinal);
        Assert.Contains("all 3", impact.Explanation, StringComparison.Ordinal);
        Assert.Contains("AllowAutomaticUpgrade", impact.Explanation, StringComparison.Ordinal);
        Assert.Contains("Manual or Rolling", impact.Change, StringComparison.Ordinal);
    }

    public sealed record Words(string Name, UpgradePolicy Policy, long Capacity, IReadOnlyList<PoolInstance>? Instances, NodeSafetyPolicy Safety, string Explanation, string? Change)
    {
        public override string ToString() => Name;
    }

    /// <summary>The gate's words, exactly: they are what the decision, <c>explain</c> and the blocked-write finding say.</summary>
    public static TheoryData<Words> Texts() =>
    [
        new("nothing runs, listed", Automatic, 3, TestData.Instances(0, deallocated: 3), Default,
            "no node runs yet (0 of 3 instance(s) run): nothing to disrupt; every instance created from now on gets AN", null),
        new("nothing runs, not listed", Manual, 0, null, Default,
            "no node runs yet (capacity 0 (instances not listed: all assumed running)): nothing to disrupt; every instance created from now on gets AN", null),
        new("rolling within, 5 listed while the capacity says 6", Rolling(20), 6, TestData.Instances(4, deallocated: 1), Default,
            "upgrade policy Rolling (maxBatchInstancePercent 20): 4 of 5 instance(s) run; Azure brings them to AN in batches of 1, within AcceleratedNetworking:MaxUnavailable 1 (1 node(s))", null),
        new("rolling too large, budget 2 of 10", Rolling(30), 10, TestData.Instances(10), Max("20%"),
            "upgrade policy Rolling (maxBatchInstancePercent 30): 10 of 10 instance(s) run; a rolling batch would take 3 node(s) down at once, more than AcceleratedNetworking:MaxUnavailable 20% allows (2 node(s))",
            "set rollingUpgradePolicy.maxBatchInstancePercent to at most 20 or raise AcceleratedNetworking:MaxUnavailable to at least 3"),
        new("rolling too large, budget 1 of 3", Rolling(50), 3, TestData.Instances(3), Default,
            "upgrade policy Rolling (maxBatchInstancePercent 50): 3 of 3 instance(s) run; a rolling batch would take 2 node(s) down at once, more than AcceleratedNetworking:MaxUnavailable 1 allows (1 node(s))",
            "set rollingUpgradePolicy.maxBatchInstancePercent to at most 33 or raise AcceleratedNetworking:MaxUnavailable to at least 2"),
        new("rolling, budget 0", Rolling(20), 1, TestData.Instances(1), Max("0"),
            "upgrade policy Rolling (maxBatchInstancePercent 20): 1 of 1 instance(s) run; a rolling batch would take 1 node(s) down at once, more than AcceleratedNetworking:MaxUnavailable 0 allows (0 node(s))",
            "raise AcceleratedNetworking:MaxUnavailable to at least 1 (it allows no node down on a pool of 1)"),
        new("automatic, not allowed", Automatic, 3, null, Default,
            "upgrade policy Automatic: capacity 3 (instances not listed: all assumed running), and Azure may restart all 3 of them at the same time to apply the new model; AcceleratedNetworking:AllowAutomaticUpgrade is off",
            "set the pool's upgradePolicy.mode to Manual or Rolling (or AcceleratedNetworking:AllowAutomaticUpgrade to true, which still stays within MaxUnavailable)"),
        new("automatic, allowed, within", Automatic, 2, TestData.Instances(2), Max("2", allowAutomatic: true),
            "upgrade policy Automatic: 2 of 2 instance(s) run; Azure may restart all 2 at once, within AcceleratedNetworking:MaxUnavailable 2 (2 node(s)) and allowed by AcceleratedNetworking:AllowAutomaticUpgrade", null),
        new("automatic, allowed, too many", Automatic, 4, TestData.Instances(4), Max("50%", allowAutomatic: true),
            "upgrade policy Automatic: 4 of 4 instance(s) run; Azure may restart all 4 at once, more than AcceleratedNetworking:MaxUnavailable 50% allows (2 node(s))",
            "set the pool's upgradePolicy.mode to Manual or Rolling, or raise AcceleratedNetworking:MaxUnavailable to at least 4"),
        new("manual", Manual, 3, TestData.Instances(3), Default,
            "upgrade policy Manual: 3 of 3 instance(s) run; the model gets AN and the running node(s) keep running without it until they are replaced or rolled out (an rollout): nothing is restarted", null),
        new("absent", UpgradePolicy.Absent, 2, null, Default,
            "upgrade policy Manual (no upgrade policy set): capacity 2 (instances not listed: all assumed running); the model gets AN and the running node(s) keep running without it until they are replaced or rolled out (an rollout): nothing is restarted", null),
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Assess_Case_ExplainsInTheseWords(Words c)
    {
        var impact = NodeSafetyGate.Assess(TestData.ScaleSet(capacity: c.Capacity, upgradePolicy: c.Policy), c.Instances, c.Safety);

        Assert.Equal(c.Explanation, impact.Explanation);
        Assert.Equal(c.Change, impact.Change);
        Assert.Equal(c.Instances is not null, impact.InstancesListed);
    }

    [Fact]
    public void Assess_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("scaleSet", () => NodeSafetyGate.Assess(null!, null, Default));
        Assert.Throws<ArgumentNullException>("safety", () => NodeSafetyGate.Assess(TestData.ScaleSet(), null, null!));
    }

    [Theory]
    [InlineData("1000", true)]
    [InlineData("1001", false)]
    [InlineData("100 %", true)]
    [InlineData("1000%", false)]
    public void MaxUnavailable_TryParse_BoundsACountAtAThousand(string text, bool accepted)
    {
        Assert.Equal(accepted, MaxUnavailable.TryParse(text, out _));
    }

    [Theory]
    [InlineData("3", "3")]
    [InlineData(" 25 % ", "25%")]
    public void MaxUnavailable_ToString_IsTheSettingsForm(string text, string expected)
    {
        Assert.True(MaxUnavailable.TryParse(text, out var max));
        Assert.Equal(expected, max.ToString());
    }

    [Fact]
    public void Assess_RollingTooLarge_ChangeNamesTheBatchPercentThatWouldFit()
    {
        var impact = NodeSafetyGate.Assess(TestData.ScaleSet(capacity: 10, upgradePolicy: Rolling(30)), TestData.Instances(10), Max("2"));

        Assert.False(impact.Allowed);
        Assert.Equal(3, impact.NodesDownAtOnce);
        Assert.Contains("maxBatchInstancePercent to at most 20", impact.Change, StringComparison.Ordinal);
        Assert.Contains("MaxUnavailable to at least 3", impact.Change, StringComparison.Ordinal);
    }

    [Fact]
    public void Assess_NotListed_SaysAllAssumedRunning()
    {
        var impact = NodeSafetyGate.Assess(TestData.ScaleSet(capacity: 4, upgradePolicy: Manual), null, Default);

        Assert.False(impact.InstancesListed);
        Assert.Contains("all assumed running", impact.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1, false)]
    [InlineData("0", 0, false)]
    [InlineData(" 3 ", 3, false)]
    [InlineData("20%", 20, true)]
    [InlineData("100%", 100, true)]
    [InlineData("0%", 0, true)]
    [InlineData(null, 1, false)]
    [InlineData("", 1, false)]
    public void MaxUnavailable_TryParse_CountOrPercent(string? text, int value, bool percent)
    {
        Assert.True(MaxUnavailable.TryParse(text, out var parsed));
        Assert.Equal(new MaxUnavailable(value, percent), parsed);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("101%")]
    [InlineData("1.5")]
    [InlineData("one")]
    [InlineData("%")]
    [InlineData("20 %%")]
    [InlineData("1001")]
    public void MaxUnavailable_TryParse_RefusesWhatIsNotACountOrPercent(string text)
    {
        Assert.False(MaxUnavailable.TryParse(text, out _));
    }

    [Theory]
    [InlineData("25%", 10, 2)]
    [InlineData("25%", 4, 1)]
    [InlineData("25%", 3, 0)]
    [InlineData("2", 1, 2)]
    [InlineData("100%", 7, 7)]
    public void MaxUnavailable_InstancesOf_RoundsPercentagesDown(string text, int instances, int expected)
    {
        Assert.True(MaxUnavailable.TryParse(text, out var max));
        Assert.Equal(expected, max.InstancesOf(instances));
    }

    [Theory]
    [InlineData(10, 20, 2)]
    [InlineData(3, 20, 1)]
    [InlineData(7, 20, 2)]
    [InlineData(1, 1, 1)]
    [InlineData(0, 20, 0)]
    [InlineData(5, 100, 5)]
    public void UpgradePolicy_BatchSize_RoundsUpAtLeastOne(int instances, int percent, int batch)
    {
        Assert.Equal(batch, new UpgradePolicy(UpgradeMode.Rolling, percent).BatchSize(instances));
    }
}
