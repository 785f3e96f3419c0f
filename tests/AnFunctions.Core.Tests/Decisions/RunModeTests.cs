using AnFunctions.Core.Decisions;
using AnFunctions.Core.Findings;
using AnFunctions.Core.Options;
using AnFunctions.Core.Rollouts;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.Skus;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.Rollouts;
using AnFunctions.InMemory.State;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace AnFunctions.Core.Tests.Decisions;

/// <summary>
/// What each <see cref="RunMode"/> sends and records, pinned on the real reconciler over in-memory stores and a
/// substituted ARM port: only Apply writes to ARM; Observe records what Apply records; Preview records its decision only.
/// </summary>
public sealed class RunModeTests
{
    public static TheoryData<string, bool, RunMode, RunMode> Resolutions() => new()
    {
        { "the normal run", false, RunMode.Apply, RunMode.Apply },
        { "the DryRun setting turns Apply into Observe", true, RunMode.Apply, RunMode.Observe },
        { "a preview stays a preview", false, RunMode.Preview, RunMode.Preview },
        { "a preview wins over the DryRun setting", true, RunMode.Preview, RunMode.Preview },
        { "Observe without the setting stays Observe", false, RunMode.Observe, RunMode.Observe },
        { "Observe with the setting stays Observe", true, RunMode.Observe, RunMode.Observe },
    };

    [Theory]
    [MemberData(nameof(Resolutions))]
    public void For_SettingAndRequest_ResolvesTheMode(string name, bool dryRunSetting, RunMode requested, RunMode expected)
    {
        var mode = RunModes.For(new AcceleratedNetworkingOptions { DryRun = dryRunSetting }, requested);

        Assert.True(expected == mode, $"{name}: {mode}");
        Assert.Equal(mode, RunModes.For(new AcceleratedNetworkingOptions { DryRun = dryRunSetting }, mode));
    }

    [Theory]
    [InlineData(false, RunMode.Apply)]
    [InlineData(true, RunMode.Preview)]
    public void Requested_DryRunFlag_AsksForPreviewOrApply(bool preview, RunMode expected) =>
        Assert.Equal(expected, RunModes.Requested(preview));

    [Fact]
    public void For_UndefinedMode_NamesIt()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RunModes.For(new AcceleratedNetworkingOptions(), (RunMode)7));

        Assert.Equal("requested", e.ParamName);
    }

    /// <summary>A pool, a setting, a request: what the run had, sent and recorded.</summary>
    public sealed record Case(
        string Name, ScaleSetSnapshot ScaleSet, bool DryRunSetting, RunMode Requested,
        RunMode Mode, int Writes, bool PoolRecorded, DecisionOutcome Outcome, bool DecisionHasWriteBody, int OpenFindings)
    {
        public override string ToString() => Name;
    }

    private static readonly ScaleSetSnapshot NewPool = TestData.ScaleSet(capacity: 0);

    // Created long before the window, AN off on an AN-capable size: an existing pool the app never writes to, with a finding.
    private static readonly ScaleSetSnapshot ExistingPool = TestData.ScaleSet(age: TimeSpan.FromDays(30), capacity: 0);

    public static TheoryData<Case> Cases() => new()
    {
        new Case("new pool, Apply: the PATCH is sent, the pool and the decision recorded",
            NewPool, false, RunMode.Apply, RunMode.Apply, Writes: 1, PoolRecorded: true, DecisionOutcome.EnableAcceleratedNetworking, DecisionHasWriteBody: true, OpenFindings: 0),
        new Case("new pool, Observe: nothing sent; the pool and the planned PATCH recorded",
            NewPool, true, RunMode.Apply, RunMode.Observe, Writes: 0, PoolRecorded: true, DecisionOutcome.WouldEnableAcceleratedNetworking, DecisionHasWriteBody: true, OpenFindings: 0),
        new Case("new pool, Preview: nothing sent, no pool; the planned PATCH recorded as a decision",
            NewPool, false, RunMode.Preview, RunMode.Preview, Writes: 0, PoolRecorded: false, DecisionOutcome.WouldEnableAcceleratedNetworking, DecisionHasWriteBody: true, OpenFindings: 0),
        new Case("new pool, Preview under the DryRun setting: still a preview, no pool",
            NewPool, true, RunMode.Preview, RunMode.Preview, Writes: 0, PoolRecorded: false, DecisionOutcome.WouldEnableAcceleratedNetworking, DecisionHasWriteBody: true, OpenFindings: 0),
        new Case("existing pool, Apply: never written; pool, decision and finding recorded",
            ExistingPool, false, RunMode.Apply, RunMode.Apply, Writes: 0, PoolRecorded: true, DecisionOutcome.Skip, DecisionHasWriteBody: false, OpenFindings: 1),
        new Case("existing pool, Observe: recorded exactly as Apply records it",
            ExistingPool, true, RunMode.Apply, RunMode.Observe, Writes: 0, PoolRecorded: true, DecisionOutcome.Skip, DecisionHasWriteBody: false, OpenFindings: 1),
        new Case("existing pool, Preview: the decision only, no pool, no finding",
            ExistingPool, false, RunMode.Preview, RunMode.Preview, Writes: 0, PoolRecorded: false, DecisionOutcome.Skip, DecisionHasWriteBody: false, OpenFindings: 0),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ReconcileAsync_EachMode_SendsAndRecordsWhatTheModeAllows(Case c)
    {
        var app = new Harness(c.ScaleSet, c.DryRunSetting);

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(c.ScaleSet.Id, ReconcileTrigger.Http, Mode: c.Requested), CancellationToken.None);

        Assert.True(c.Mode == result.Mode, $"{c.Name}: mode {result.Mode}");
        Assert.True(c.Writes == app.Writes, $"{c.Name}: {app.Writes} writes sent");
        Assert.True(c.Writes == 1 == result.WriteSent, $"{c.Name}: WriteSent {result.WriteSent}");
        var pool = await app.State.GetPoolAsync(c.ScaleSet.Id, CancellationToken.None);
        Assert.True(c.PoolRecorded == pool is not null, $"{c.Name}: pool recorded {pool is not null}");
        var decision = Assert.Single(await app.State.GetDecisionsAsync(c.ScaleSet.Id, 10, CancellationToken.None));
        Assert.True(c.Outcome == decision.Outcome, $"{c.Name}: decision {decision.Outcome}");
        Assert.True(c.DecisionHasWriteBody == decision.WriteBody is not null, $"{c.Name}: write body {decision.WriteBody}");
        var findings = (await app.Findings.ListForPoolAsync(c.ScaleSet.Id, CancellationToken.None)).Where(f => f.IsOpen).ToList();
        Assert.True(c.OpenFindings == findings.Count, $"{c.Name}: {findings.Count} open findings");
    }

    [Theory]
    [InlineData(RunMode.Apply)]
    [InlineData(RunMode.Observe)]
    public async Task ReconcileAsync_ObserveOnNewPool_RecordsThePoolAsApplyWouldHaveSeenIt(RunMode requested)
    {
        // Observe records the pool as it is (AN off, not enabled by the app); a later Apply run finds it known.
        var app = new Harness(NewPool, dryRunSetting: true);

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(NewPool.Id, ReconcileTrigger.Http, Mode: requested), CancellationToken.None);

        Assert.Equal(RunMode.Observe, result.Mode);
        var pool = await app.State.GetPoolAsync(NewPool.Id, CancellationToken.None);
        Assert.NotNull(pool);
        Assert.False(pool.EnabledByApp);
        Assert.False(pool.AcceleratedNetworking);
        Assert.False(pool.AcceleratedNetworkingAtCreation);
        Assert.Equal(0, app.Writes);
    }

    [Theory]
    [InlineData(true, RunMode.Apply, 0, DecisionReason.ExistingPoolKnown)]
    [InlineData(false, RunMode.Preview, 1, DecisionReason.NewPoolEnabled)]
    public async Task ReconcileAsync_ApplyAfterAnObserveOrPreview_FindsWhatTheFirstRunLeft(bool dryRunSetting, RunMode first, int writes, DecisionReason then)
    {
        // Observe records the new pool, so once DryRun is off the pool is known and not written; a preview leaves it new.
        var app = new Harness(NewPool, dryRunSetting);
        await app.Reconciler.ReconcileAsync(new ReconcileRequest(NewPool.Id, ReconcileTrigger.Http, Mode: first), CancellationToken.None);
        app.Settings.DryRun = false;

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(NewPool.Id, ReconcileTrigger.Http), CancellationToken.None);

        Assert.Equal(RunMode.Apply, result.Mode);
        Assert.Equal(then, result.Decision.Reason);
        Assert.Equal(writes, app.Writes);
    }

    [Theory]
    [InlineData(false, RunMode.Apply, RunMode.Apply)]
    [InlineData(true, RunMode.Apply, RunMode.Observe)]
    [InlineData(false, RunMode.Preview, RunMode.Preview)]
    public async Task ReconcileAsync_OutOfScope_ReturnsTheResolvedMode(bool dryRunSetting, RunMode requested, RunMode expected)
    {
        var scaleSet = TestData.ScaleSet(subscription: TestData.OtherSubscription);
        var app = new Harness(scaleSet, dryRunSetting, subscriptions: TestData.Subscription);

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(scaleSet.Id, ReconcileTrigger.Http, Mode: requested), CancellationToken.None);

        Assert.Equal(DecisionReason.OutOfScope, result.Decision.Reason);
        Assert.Equal(expected, result.Mode);
        Assert.Equal(0, app.Writes);
    }

    [Theory]
    [InlineData(false, false, RunMode.Apply, 1)]
    [InlineData(true, false, RunMode.Observe, 0)]
    [InlineData(false, true, RunMode.Preview, 0)]
    public async Task ReconcileAsync_FromAListedSnapshot_ResolvesTheModeAsTheReadDoes(bool dryRunSetting, bool preview, RunMode expected, int writes)
    {
        // The audit's path (a snapshot already read) and its dry-run flag.
        var app = new Harness(NewPool, dryRunSetting);

        var result = await app.Reconciler.ReconcileAsync(new ReconcileRequest(NewPool.Id, ReconcileTrigger.Audit, Mode: RunModes.Requested(preview)), NewPool, CancellationToken.None);

        Assert.Equal(expected, result.Mode);
        Assert.Equal(writes, app.Writes);
    }

    [Theory]
    [InlineData(false, RunMode.Apply, DecisionOutcome.EnableAcceleratedNetworking)]
    [InlineData(true, RunMode.Apply, DecisionOutcome.WouldEnableAcceleratedNetworking)]
    [InlineData(false, RunMode.Preview, DecisionOutcome.WouldEnableAcceleratedNetworking)]
    public async Task EvaluateAsync_Mode_DecidesWithTheResolvedMode(bool dryRunSetting, RunMode mode, DecisionOutcome expected)
    {
        var app = new Harness(NewPool, dryRunSetting);

        var evaluation = await app.Reconciler.EvaluateAsync(NewPool, mode, instances: null, CancellationToken.None);

        Assert.Equal(expected, evaluation.Decision.Outcome);
        Assert.Equal(0, app.Writes);
        Assert.Empty(await app.State.GetDecisionsAsync(NewPool.Id, 10, CancellationToken.None));
    }

    /// <summary>The reconciler over in-memory stores, a substituted ARM port that counts what is sent, and a fixed clock.</summary>
    private sealed class Harness
    {
        private readonly IScaleSetClient _arm = Substitute.For<IScaleSetClient>();

        public Harness(ScaleSetSnapshot scaleSet, bool dryRunSetting, string? subscriptions = null)
        {
            var time = new FakeTimeProvider(TestData.Now);
            _arm.GetAsync(scaleSet.Id, Arg.Any<CancellationToken>()).Returns(scaleSet);
            _arm.ListInstancesAsync(scaleSet.Id, Arg.Any<CancellationToken>()).Returns([]);
            _arm.SendAsync(Arg.Any<ScaleSetWrite>(), Arg.Any<CancellationToken>()).Returns(new WriteAccepted(200, null, "Succeeded"));
            _arm.GetOperationAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(OperationStatus.Succeeded);
            var catalogs = Substitute.For<IVmSizeCatalogProvider>();
            catalogs.GetAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(TestData.Catalog());
            Settings = new AcceleratedNetworkingOptions { DryRun = dryRunSetting, Subscriptions = subscriptions };
            Reconciler = CoreWiring.Reconciler(_arm, catalogs, State, CoreWiring.Engine(Findings, time), CoreWiring.Monitor(Settings), time);
        }

        public PoolReconciler Reconciler { get; }

        /// <summary>The options every run reads (<c>CurrentValue</c>): changing them is changing the app settings.</summary>
        public AcceleratedNetworkingOptions Settings { get; }

        public InMemoryStateStore State { get; } = new();

        public InMemoryFindingStore Findings { get; } = new();

        /// <summary>Writes sent to ARM: the AN write and any instance action (a rollout).</summary>
        public int Writes => _arm.ReceivedCalls().Count(call => call.GetMethodInfo().Name is nameof(IScaleSetClient.SendAsync) or nameof(IScaleSetClient.RunInstanceActionAsync));
    }

    [Fact]
    public void For_NullSettings_ThrowsNamingThem()
    {
        var e = Assert.Throws<ArgumentNullException>(() => RunModes.For(null!, RunMode.Observe));

        Assert.Equal("settings", e.ParamName);
    }

    [Fact]
    public void For_UndefinedMode_SaysItIsNotARunModeAndCarriesTheValue()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RunModes.For(new AcceleratedNetworkingOptions(), (RunMode)7));

        Assert.StartsWith("not a RunMode", e.Message, StringComparison.Ordinal);
        Assert.Equal((RunMode)7, e.ActualValue);
    }

    [Theory]
    [InlineData(RunMode.Apply, true, true)]
    [InlineData(RunMode.Observe, false, true)]
    [InlineData(RunMode.Preview, false, false)]
    public void WritesToArmAndRecordsPool_EachMode_WhatItMayDo(RunMode mode, bool writes, bool records)
    {
        Assert.Equal((writes, records), (mode.WritesToArm(), mode.RecordsPool()));
    }
}
