using AnFunctions.Core.Findings;
using AnFunctions.Core.ScaleSets;
using AnFunctions.Infrastructure.Tables;

namespace AnFunctions.Infrastructure.Tests.Findings;

public sealed class FindingTableKeysTests
{
    [Fact]
    public void FindingPartition_PoolIdInAnyCase_IsTheEscapedLowerCasePoolKey()
    {
        var pool = ScaleSetId.Create("0F8FAD5B-D9CB-469F-A165-70867728950E", "My.RG(1)", "Pool_A");
        var other = ScaleSetId.Parse(pool.Value.ToUpperInvariant());

        Assert.Equal(TableKeys.FindingPartition(pool), TableKeys.FindingPartition(other));
        Assert.Equal(Uri.EscapeDataString(pool.Key), TableKeys.FindingPartition(pool));
        Assert.Equal(TableKeys.DecisionPartition(pool), TableKeys.FindingPartition(pool));
    }

    [Fact]
    public void FindingRow_Kind_IsPrefixAndKindName()
    {
        Assert.Equal("finding~SizeChangeRefused", TableKeys.FindingRow(FindingKind.SizeChangeRefused));
    }

    [Theory]
    [InlineData("0639090628130000000-webhook-af7731497f6341ebb13477c0ffee0000")]
    [InlineData("~starts-with-tilde")]
    [InlineData("a/b\\c#d?e f%")]
    [InlineData("ünïcödé 😀")]
    public void OutboxRow_AnyId_IsWithinTheOutboxPrefixRangeAndHasNoForbiddenCharacter(string id)
    {
        var row = TableKeys.OutboxRow(id);

        Assert.StartsWith(TableKeys.OutboxRowPrefix, row, StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal(row, "outbox\u007f") < 0);
        Assert.DoesNotContain(row, c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));
    }

    [Fact]
    public void OutboxRow_LongId_IsHashedAndStillInRange()
    {
        var row = TableKeys.OutboxRow(new string('x', 600));

        Assert.Matches("^outbox~~[0-9a-f]{64}$", row);
        Assert.True(string.CompareOrdinal(row, "outbox\u007f") < 0);
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
        Assert.InRange(TableKeys.OutboxRow(new string('x', length)).Length, 1, TableKeys.MaxReadableKeyLength);
        Assert.InRange(TableKeys.OutboxRow(new string('/', length)).Length, 1, TableKeys.MaxReadableKeyLength);
    }

    [Fact]
    public void RowKeyPrefixFilter_Prefix_IsAHalfOpenRangeUpToTheNextChar()
    {
        Assert.Equal("RowKey ge 'outbox~' and RowKey lt 'outbox\u007f'", TableKeys.RowKeyPrefixFilter("outbox~"));
        Assert.Equal("RowKey ge 'it''s' and RowKey lt 'it''t'", TableKeys.RowKeyPrefixFilter("it's"));
    }
}
