using AnFunctions.Core.Retention;

namespace AnFunctions.Core.Tests.Retention;

/// <summary><see cref="PruneReport"/>: rows deleted across tables, and whether any table has more to prune.</summary>
public sealed class PruneReportTests
{
    [Fact]
    public void Report_NoTables_NothingDeletedNothingMore()
    {
        var report = new PruneReport(TestData.Now, []);

        Assert.Equal(0, report.Deleted);
        Assert.False(report.More);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, true)]
    [InlineData(false, true, true)]
    [InlineData(true, true, true)]
    public void Report_Tables_DeletedIsTheSumMoreWhenAnyHasMore(bool firstMore, bool secondMore, bool more)
    {
        var report = new PruneReport(TestData.Now, [new PrunedRows(RetentionTable.DeletedPools, 3, firstMore), new PrunedRows(RetentionTable.DeletedPools, 4, secondMore)]);

        Assert.Equal(7, report.Deleted);
        Assert.Equal(more, report.More);
        Assert.Equal(TestData.Now, report.At);
    }
}
