using AnFunctions.Core.State;
using AnFunctions.Functions;
using Microsoft.Azure.Functions.Worker;

namespace AnFunctions.Tests.Functions;

/// <summary>The storage pruning timer, built by the app's real DI: Event Grid's redeliveries are still recognised after it ran.</summary>
public sealed class PruneStorageFunctionTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly AppUnderTest _app = AppUnderTest.Create(
        new Dictionary<string, string?> { ["Retention:ProcessedEventsHours"] = "48" }, now: Now);

    public Task InitializeAsync()
    {
        _app.Emulator.SetSkus(Fleet.StandardSkus());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task RunAsync_EventInsideItsWindow_IsKeptAndItsRedeliveryStillADuplicate()
    {
        var id = Fleet.Id("pool-new");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-new", "Standard_D4s_v5", Now.AddMinutes(-2), an: false, nics: 1));
        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-1"), CancellationToken.None);
        var calls = _app.Emulator.RequestLog.Count;

        _app.Time.Advance(TimeSpan.FromHours(47));
        await _app.Create<PruneStorageFunction>().RunAsync(new TimerInfo(), CancellationToken.None);
        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-1"), CancellationToken.None);

        Assert.Equal(calls, _app.Emulator.RequestLog.Count);
        Assert.Contains(_app.Logs.GetSnapshot(), r => r.Id.Name == "DuplicateEventSkipped");
        Assert.Contains(_app.Logs.GetSnapshot(), r => r.Id.Name == "RowsPruned"
            && r.GetStructuredStateValue("Table") == "ProcessedEvents" && r.GetStructuredStateValue("Rows") == "0");
    }

    [Fact]
    public async Task RunAsync_EventPastItsWindow_IsPrunedAndLoggedPerTable()
    {
        var id = Fleet.Id("pool-new");
        _app.Emulator.PutScaleSet(Fleet.ScaleSet("pool-new", "Standard_D4s_v5", Now.AddMinutes(-2), an: false, nics: 1));
        await _app.Create<ScaleSetEventsFunction>().RunAsync(Fleet.WriteEvent(id, "e-1"), CancellationToken.None);

        _app.Time.Advance(TimeSpan.FromHours(49));
        await _app.Create<PruneStorageFunction>().RunAsync(new TimerInfo(), CancellationToken.None);

        Assert.Null(await _app.Get<IStateStore>().GetProcessedEventAsync(Core.ScaleSets.ScaleSetId.Parse(id), "e-1", CancellationToken.None));
        Assert.NotNull(await _app.Get<IStateStore>().GetPoolAsync(Core.ScaleSets.ScaleSetId.Parse(id), CancellationToken.None));
        Assert.Contains(_app.Logs.GetSnapshot(), r => r.Id.Name == "RowsPruned"
            && r.GetStructuredStateValue("Table") == "ProcessedEvents" && r.GetStructuredStateValue("Rows") == "1");
        Assert.Contains(_app.Logs.GetSnapshot(), r => r.Id.Name == "PruneCompleted");
    }
}
