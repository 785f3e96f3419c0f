using System.Text.Json.Nodes;
using AnFunctions.Api;
using AnFunctions.Core.Decisions;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Core.State;
using AnFunctions.Functions;
using static AnFunctions.Tests.Http.HttpCalls;

namespace AnFunctions.Tests.Http;

/// <summary>
/// <c>POST /api/pools/reconcile</c>: <c>"dryRun": true</c> makes the run a <see cref="RunMode.Preview"/>, whatever
/// <c>AcceleratedNetworking:DryRun</c> says, and the answer's <c>dryRun</c> is read from the result's mode.
/// </summary>
public sealed class RunModeHttpTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false, true, true, false, 0)]
    [InlineData(true, true, true, false, 0)]
    [InlineData(true, false, false, true, 0)]
    [InlineData(false, false, false, true, 1)]
    public async Task Reconcile_DryRunFlagAndSetting_RunsInTheResolvedMode(bool dryRunSetting, bool dryRun, bool answeredDryRun, bool poolRecorded, int writes)
    {
        await using var app = AppUnderTest.Create(new Dictionary<string, string?> { ["AcceleratedNetworking:DryRun"] = dryRunSetting ? "true" : "false" }, Now);
        app.Emulator.SetSkus(Fleet.StandardSkus());
        var id = Fleet.Id("mode");
        app.Emulator.PutScaleSet(Fleet.ScaleSet("mode", "Standard_D4s_v5", Now.AddMinutes(-2)));

        var answer = await CallAsync(HttpCalls.Json("POST", new JsonObject { ["resourceId"] = id, ["dryRun"] = dryRun }), app.Create<ApiFunctions>().ReconcilePoolAsync);

        Assert.Equal(200, answer.Status);
        Assert.Equal(answeredDryRun, answer.Json["dryRun"]!.GetValue<bool>());
        Assert.Equal(writes, app.Emulator.Writes.Count);
        Assert.Equal(writes == 1, answer.Json["writeSent"]!.GetValue<bool>());
        Assert.Equal(poolRecorded, await app.Get<IStateStore>().GetPoolAsync(ScaleSetId.Parse(id), CancellationToken.None) is not null);
        var decision = Assert.Single(await app.Get<IStateStore>().GetDecisionsAsync(ScaleSetId.Parse(id), 10, CancellationToken.None));
        Assert.Equal(writes == 1 ? DecisionOutcome.EnableAcceleratedNetworking : DecisionOutcome.WouldEnableAcceleratedNetworking, decision.Outcome);
        Assert.Equal("http", decision.Trigger);
    }

    [Theory]
    [InlineData(RunMode.Apply, false)]
    [InlineData(RunMode.Observe, false)]
    [InlineData(RunMode.Preview, true)]
    public void Reconcile_ResultMode_IsTheAnswersDryRun(RunMode mode, bool dryRun)
    {
        var id = ScaleSetId.Parse(Fleet.Id("view"));
        var result = new ReconcileResult(id, new PoolDecision(DecisionOutcome.Skip, DecisionReason.ExistingPoolKnown, "known", IsNewPool: false, Write: null), WriteSent: false, Pool: null) { Mode = mode };

        Assert.Equal(dryRun, ApiViews.Reconcile(result).DryRun);
    }
}
