using AnFunctions.Core.Telemetry;

namespace AnFunctions.Core.Tests.Telemetry;

/// <summary>
/// <see cref="CallMeter"/>: calls count by kind in every open scope of the flow that records them, in no scope of
/// another flow, and in none once the scope is disposed.
/// </summary>
public sealed class CallMeterTests
{
    private readonly CallMeter _meter = new();

    [Fact]
    public void Record_OpenScope_CountsByKindOrdinalSorted()
    {
        using var tally = _meter.Begin();

        _meter.Record("get");
        _meter.Record("put");
        _meter.Record("get");
        _meter.Record("GET");
        _meter.Record("Z");

        Assert.Equal(["GET", "Z", "get", "put"], tally.Counts.Keys);
        Assert.Equal([1, 1, 2, 1], tally.Counts.Values);
        Assert.Equal(5, tally.Total);
    }

    [Fact]
    public void Begin_NothingRecorded_EmptyAndZero()
    {
        _meter.Record("before");

        using var tally = _meter.Begin();

        Assert.Empty(tally.Counts);
        Assert.Equal(0, tally.Total);
    }

    [Fact]
    public void Counts_RecordedAfterReading_TheReadCopyStaysAsItWas()
    {
        using var tally = _meter.Begin();
        _meter.Record("get");

        var counts = tally.Counts;
        _meter.Record("get");

        Assert.Equal(1, counts["get"]);
        Assert.Equal(2, tally.Counts["get"]);
    }

    [Fact]
    public void Record_NestedScopes_CountsInEveryOpenOneUntilTheInnerIsDisposed()
    {
        using var outer = _meter.Begin();
        _meter.Record("a");
        var inner = _meter.Begin();
        _meter.Record("b");
        inner.Dispose();
        _meter.Record("c");

        Assert.Equal(["a", "b", "c"], outer.Counts.Keys);
        Assert.Equal(["b"], inner.Counts.Keys);
        Assert.Equal(3, outer.Total);
        Assert.Equal(1, inner.Total);
    }

    [Fact]
    public void Record_OuterDisposedWhileInnerIsOpen_CountsOnlyInTheInnerThenNowhere()
    {
        var outer = _meter.Begin();
        var inner = _meter.Begin();
        _meter.Record("a");

        outer.Dispose();
        _meter.Record("b");
        inner.Dispose();
        _meter.Record("c");
        using var next = _meter.Begin();

        Assert.Equal(["a"], outer.Counts.Keys);
        Assert.Equal(["a", "b"], inner.Counts.Keys);
        Assert.Equal(0, next.Total);
    }

    [Fact]
    public void Begin_AfterTheScopesOfEarlierEventsWereDisposed_StartsAFreshChain()
    {
        // One flow handling one event after another must not chain every past scope behind the current one.
        for (var i = 0; i < 3; i++)
        {
            using var earlier = _meter.Begin();
        }

        using var next = _meter.Begin();

        Assert.Null(next.Parent);
    }

    [Fact]
    public void Record_AfterTheOnlyScopeIsDisposed_CountsNowhere()
    {
        var tally = _meter.Begin();
        _meter.Record("a");
        tally.Dispose();

        _meter.Record("a");
        using var next = _meter.Begin();

        Assert.Equal(1, tally.Total);
        Assert.Equal(0, next.Total);
    }

    [Fact]
    public async Task Record_InATaskTheScopeStarted_CountsInTheScope()
    {
        using var tally = _meter.Begin();

        await Task.Run(() => _meter.Record("get"));
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => _meter.Record("put"))));

        Assert.Equal(1, tally.Counts["get"]);
        Assert.Equal(200, tally.Counts["put"]);
        Assert.Equal(201, tally.Total);
    }

    [Fact]
    public async Task Begin_InAChildTask_CountsThereAndInTheParentsScopeButEndsWithTheChild()
    {
        using var mine = _meter.Begin();

        var theirs = await Task.Run(() =>
        {
            var tally = _meter.Begin();
            _meter.Record("theirs");
            return tally;
        });
        _meter.Record("mine");

        Assert.Equal(["mine", "theirs"], mine.Counts.Keys);
        Assert.Equal(["theirs"], theirs.Counts.Keys);
    }

    [Fact]
    public async Task Record_SiblingFlowsEachWithItsScope_EachCountsOnlyItsOwn()
    {
        using var both = new Barrier(2);
        Task<CallTally> Flow(string kind, int calls) => Task.Run(() =>
        {
            var tally = _meter.Begin();
            both.SignalAndWait();
            for (var i = 0; i < calls; i++)
            {
                _meter.Record(kind);
            }

            both.SignalAndWait();
            return tally;
        });

        var tallies = await Task.WhenAll(Flow("a", 3), Flow("b", 5));

        Assert.Equal(new Dictionary<string, int> { ["a"] = 3 }, tallies[0].Counts);
        Assert.Equal(new Dictionary<string, int> { ["b"] = 5 }, tallies[1].Counts);
    }

    [Fact]
    public void Meters_TwoOfThem_CountApart()
    {
        var other = new CallMeter();
        using var tally = _meter.Begin();

        other.Record("get");

        Assert.Equal(0, tally.Total);
    }
}
