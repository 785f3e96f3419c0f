using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Tables;
using AnFunctions.InMemory.State;

namespace AnFunctions.Infrastructure.Tests.State;

public sealed class TableKeysTests
{
    [Theory]
    [InlineData("a/b\\c#d?e")]
    [InlineData("tab\there\u0000nul\u007fdel\u0085nel")]
    [InlineData("ünï 😀 %41")]
    public void Escape_AnyText_HasNoCharacterTableStorageForbids(string value)
    {
        var key = TableKeys.Escape(value);

        Assert.DoesNotContain(key, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }

    [Fact]
    public void Escape_DistinctValues_GiveDistinctKeys()
    {
        string[] values = ["a/b", "a%2Fb", "A/b", "a b", "a+b", "~x", "x~"];

        Assert.Equal(values.Length, values.Select(TableKeys.Escape).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Escape_LongValue_IsHashedAndShort()
    {
        var key = TableKeys.Escape(new string('é', 400));

        Assert.Matches("^~[0-9a-f]{64}$", key);
        Assert.NotEqual(key, TableKeys.Escape(new string('é', 401)));
    }

    [Fact]
    public void Escape_ValueStartingWithTilde_IsHashedSoItCannotMimicAHash()
    {
        Assert.Matches("^~[0-9a-f]{64}$", TableKeys.Escape("~abc"));
    }

    [Fact]
    public void DecisionRow_NewerInstant_SortsFirst()
    {
        var older = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var newer = older.AddTicks(1);

        Assert.True(string.CompareOrdinal(TableKeys.DecisionRow(newer, "zzz"), TableKeys.DecisionRow(older, "000")) < 0);
        Assert.Equal(19, TableKeys.DecisionRow(DateTimeOffset.MaxValue, "s").IndexOf('-', StringComparison.Ordinal));
        Assert.Equal(19, TableKeys.DecisionRow(DateTimeOffset.MinValue, "s").IndexOf('-', StringComparison.Ordinal));
    }

    [Fact]
    public void DecisionRow_SameInstantInOtherOffset_SameTicksPart()
    {
        var utc = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(TableKeys.DecisionRow(utc, "s"), TableKeys.DecisionRow(utc.ToOffset(TimeSpan.FromHours(9)), "s"));
    }

    [Fact]
    public void EventPartition_ManyIds_SpreadOverHexBuckets()
    {
        var buckets = Enumerable.Range(0, 2_000).Select(i => TableKeys.EventPartition($"event-{i}")).ToHashSet();

        Assert.All(buckets, b => Assert.Matches("^[0-9a-f]{2}$", b));
        Assert.True(buckets.Count > 200, $"only {buckets.Count} buckets used");
    }

    [Fact]
    public void PoolKeys_IdsDifferingInCase_AreEqual()
    {
        var a = ScaleSetId.Create("0F8FAD5B-D9CB-469F-A165-70867728950E", "RG", "Pool");
        var b = ScaleSetId.Create("0f8fad5b-d9cb-469f-a165-70867728950e", "rg", "POOL");

        Assert.Equal(TableKeys.PoolPartition(a), TableKeys.PoolPartition(b));
        Assert.Equal(TableKeys.PoolRow(a), TableKeys.PoolRow(b));
        Assert.Equal(TableKeys.DecisionPartition(a), TableKeys.DecisionPartition(b));
    }

    [Fact]
    public void NewSuffix_TwoCalls_Differ()
    {
        Assert.NotEqual(TableKeys.NewSuffix(), TableKeys.NewSuffix());
        Assert.Matches("^[0-9a-f]{12}$", TableKeys.NewSuffix());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(499)]
    [InlineData(500)]
    [InlineData(512)]
    [InlineData(2_000)]
    public void RejectedRow_IdOfAnyLength_FitsOneKey(int length)
    {
        Assert.InRange(TableKeys.RejectedRow(new string('r', length), TableKeys.NewSuffix()).Length, 1, TableKeys.MaxReadableKeyLength);
        Assert.InRange(TableKeys.RejectedRow(new string('#', length), TableKeys.NewSuffix()).Length, 1, TableKeys.MaxReadableKeyLength);
    }
}

public sealed class StateLimitsTests
{
    [Fact]
    public void Truncate_ShortValue_IsUnchanged()
    {
        Assert.Equal("abc", StateLimits.Truncate("abc", 100));
        Assert.Equal(new string('x', 100), StateLimits.Truncate(new string('x', 100), 100));
    }

    [Theory]
    [InlineData(101)]
    [InlineData(1_000_000)]
    public void Truncate_LongValue_FitsTheLimitAndSaysHowLongItWas(int length)
    {
        var value = new string('x', length);

        var cut = StateLimits.Truncate(value, 100);

        Assert.InRange(cut.Length, 64, 100);
        Assert.StartsWith("xxxxxxxxxx", cut, StringComparison.Ordinal);
        Assert.EndsWith($"of {length} chars kept]", cut, StringComparison.Ordinal);
        var kept = cut.IndexOf(StateLimits.TruncationMarkerStart, StringComparison.Ordinal);
        Assert.Contains($"{StateLimits.TruncationMarkerStart}{kept} of", cut, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncate_CutFallsInsideASurrogatePair_KeepsThePairWhole()
    {
        var value = string.Concat(Enumerable.Repeat("😀", 200));

        for (var max = 64; max < 120; max++)
        {
            var cut = StateLimits.Truncate(value, max);
            var kept = cut[..cut.IndexOf(StateLimits.TruncationMarkerStart, StringComparison.Ordinal)];
            Assert.True(kept.Length % 2 == 0 && !char.IsHighSurrogate(kept[^1]), $"max {max}: split pair");
            Assert.True(cut.Length <= max);
        }
    }

    [Fact]
    public void Truncate_TinyLimit_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StateLimits.Truncate("abc", 10));
    }

    [Fact]
    public void TruncateOrNull_Null_IsNull()
    {
        Assert.Null(StateLimits.TruncateOrNull(null, 100));
    }
}
