using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Tables;

namespace AnFunctions.Infrastructure.Tests.Findings;

public sealed class FindingTableKeysTests
{
    private static readonly ScaleSetId Pool = ScaleSetId.Create("0f8fad5b-d9cb-469f-a165-70867728950e", "rg", "vmss");

    /// <summary>The longest names ARM allows, in characters that escape to 9 chars each: the pool part is hashed.</summary>
    private static readonly ScaleSetId LongPool = ScaleSetId.Create("0f8fad5b-d9cb-469f-a165-70867728950e", new string('ü', 90), new string('é', 80));

    [Fact]
    public void FindingPartition_PoolIdInAnyCase_IsTheLowerCaseSubscriptionLikeThePoolRecords()
    {
        var pool = ScaleSetId.Create("0F8FAD5B-D9CB-469F-A165-70867728950E", "My.RG(1)", "Pool_A");
        var other = ScaleSetId.Parse(pool.Value.ToUpperInvariant());

        Assert.Equal(TableKeys.FindingPartition(pool), TableKeys.FindingPartition(other));
        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950e", TableKeys.FindingPartition(pool));
        Assert.Equal(TableKeys.PoolPartition(pool), TableKeys.FindingPartition(pool));
    }

    [Fact]
    public void FindingRow_PoolAndKind_IsPrefixPoolPartAndKindName()
    {
        var pool = ScaleSetId.Create("0F8FAD5B-D9CB-469F-A165-70867728950E", "My.RG(1)", "Pool_A");

        Assert.Equal("finding|my.rg%281%29%2Fpool_a|SizeChangeRefused", TableKeys.FindingRow(pool, FindingKind.SizeChangeRefused));
        Assert.StartsWith(TableKeys.FindingRowsOf(pool), TableKeys.FindingRow(pool, FindingKind.SizeChanged), StringComparison.Ordinal);
    }

    [Fact]
    public void FindingRowsOf_PoolWhoseNameExtendsAnother_DoNotCoverEachOther()
    {
        var pool = ScaleSetId.Create("0f8fad5b-d9cb-469f-a165-70867728950e", "rg", "a");
        var longer = ScaleSetId.Create("0f8fad5b-d9cb-469f-a165-70867728950e", "rg", "a-b");
        var range = TableKeys.FindingRowsOf(pool);
        var end = range[..^1] + (char)(range[^1] + 1);

        var row = TableKeys.FindingRow(longer, FindingKind.SizeChanged);

        Assert.False(string.CompareOrdinal(row, range) >= 0 && string.CompareOrdinal(row, end) < 0);
    }

    [Theory]
    [InlineData("0639090628130000000-webhook-af7731497f6341ebb13477c0ffee0000")]
    [InlineData("~starts-with-tilde")]
    [InlineData("a/b\\c#d?e f%")]
    [InlineData("ünïcödé 😀")]
    public void OutboxRow_AnyId_IsWithinThePoolsOutboxRangeAndHasNoForbiddenCharacter(string id)
    {
        var row = TableKeys.OutboxRow(Pool, id);

        Assert.StartsWith(TableKeys.OutboxRowPrefix + TableKeys.FindingPoolPart(Pool) + "|", row, StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal(row, "outbox}") < 0);
        Assert.DoesNotContain(row, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }

    [Fact]
    public void OutboxRow_LongId_IsHashedAndStillInRange()
    {
        var row = TableKeys.OutboxRow(Pool, new string('x', 600));

        Assert.Matches("^outbox\\|rg%2Fvmss\\|~[0-9a-f]{64}$", row);
        Assert.True(string.CompareOrdinal(row, "outbox}") < 0);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(504)]
    [InlineData(505)]
    [InlineData(506)]
    [InlineData(512)]
    [InlineData(2_000)]
    public void OutboxRow_IdOfAnyLength_FitsOneKey(int length)
    {
        Assert.InRange(TableKeys.OutboxRow(LongPool, new string('x', length)).Length, 1, TableKeys.MaxReadableKeyLength);
        Assert.InRange(TableKeys.OutboxRow(LongPool, new string('/', length)).Length, 1, TableKeys.MaxReadableKeyLength);
        Assert.InRange(TableKeys.FindingRow(LongPool, FindingKind.SizeChangedWithoutAcceleratedNetworking).Length, 1, TableKeys.MaxReadableKeyLength);
    }

    [Fact]
    public void RowKeyPrefixFilter_Prefix_IsAHalfOpenRangeUpToTheNextChar()
    {
        Assert.Equal("RowKey ge 'outbox~' and RowKey lt 'outbox\u007f'", TableKeys.RowKeyPrefixFilter("outbox~"));
        Assert.Equal("RowKey ge 'it''s' and RowKey lt 'it''t'", TableKeys.RowKeyPrefixFilter("it's"));
    }
}
