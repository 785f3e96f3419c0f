using AnFunctions.Core.Findings;
using AnFunctions.InMemory.Findings;

namespace AnFunctions.Core.Tests.Findings;

/// <summary>
/// <see cref="FindingPages"/> over the in-memory finding store (ordered by id): page sizes at their bounds, the token
/// (the last id of a full page, none on the last page), reading on after it, and tokens this service did not make.
/// </summary>
public sealed class FindingPagesTests
{
    private static readonly string ValidId = "fnd-" + new string('a', 24);
    private readonly InMemoryFindingStore _store = new();
    private readonly FindingQuery _all = new();

    /// <summary><paramref name="count"/> open findings on as many pools; their ids in order.</summary>
    private async Task<List<string>> FindingsAsync(int count, FindingStatus status = FindingStatus.Open)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var draft = new FindingDraft(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, "m", "c", "r", new FindingEvidence());
            var finding = await _store.SaveAsync(TestData.OpenFinding(draft, TestData.Id($"pool-{i}")) with { Status = status }, [], CancellationToken.None);
            ids.Add(finding.Id);
        }

        return ids.Order(StringComparer.Ordinal).ToList();
    }

    private Task<FindingPage> ReadAsync(int pageSize, string? continuation = null, FindingQuery? query = null) =>
        FindingPages.ReadAsync(_store, query ?? _all, pageSize, continuation, CancellationToken.None);

    [Fact]
    public void PageSizes_Always_FiftyByDefaultAtMostTwoHundred()
    {
        Assert.Equal(50, FindingPages.DefaultPageSize);
        Assert.Equal(200, FindingPages.MaxPageSize);
    }

    [Fact]
    public async Task ReadAsync_FivePagedByTwo_ThreePagesInIdOrderLastWithoutToken()
    {
        var ids = await FindingsAsync(5);

        var first = await ReadAsync(2);
        var second = await ReadAsync(2, first.Continuation);
        var third = await ReadAsync(2, second.Continuation);

        Assert.Equal(ids[..2], first.Items.Select(f => f.Id));
        Assert.Equal(ids[1], first.Continuation);
        Assert.Equal(ids[2..4], second.Items.Select(f => f.Id));
        Assert.Equal(ids[3], second.Continuation);
        Assert.Equal(ids[4..], third.Items.Select(f => f.Id));
        Assert.Null(third.Continuation);
    }

    [Fact]
    public async Task ReadAsync_ExactlyOnePageFull_NoToken()
    {
        var ids = await FindingsAsync(3);

        var page = await ReadAsync(3);

        Assert.Equal(ids, page.Items.Select(f => f.Id));
        Assert.Null(page.Continuation);
    }

    [Fact]
    public async Task ReadAsync_OneMoreThanAPage_TokenIsTheLastIdOfThePage()
    {
        var ids = await FindingsAsync(4);

        var page = await ReadAsync(3);

        Assert.Equal(ids[..3], page.Items.Select(f => f.Id));
        Assert.Equal(ids[2], page.Continuation);
    }

    [Fact]
    public async Task ReadAsync_TokenOfTheLastFinding_EmptyPageWithoutToken()
    {
        var ids = await FindingsAsync(2);

        var page = await ReadAsync(5, ids[^1]);

        Assert.Empty(page.Items);
        Assert.Null(page.Continuation);
    }

    [Fact]
    public async Task ReadAsync_ValidTokenOfNoStoredFinding_StartsAfterItInIdOrder()
    {
        var ids = await FindingsAsync(4);
        var between = ids[1][..^1] + "0";
        Assert.True(string.CompareOrdinal(ids[0], between) < 0 && string.CompareOrdinal(between, ids[1]) < 0);

        var page = await ReadAsync(10, between);

        Assert.Equal(ids[1..], page.Items.Select(f => f.Id));
    }

    [Fact]
    public async Task ReadAsync_Query_PagesOnlyWhatItSelects()
    {
        var open = await FindingsAsync(2);
        var draft = new FindingDraft(FindingKind.AcceleratedNetworkingLost, FindingSeverity.Critical, "m", "c", "r", new FindingEvidence());
        await _store.SaveAsync(TestData.OpenFinding(draft, TestData.Id("resolved-pool")) with { Status = FindingStatus.Resolved }, [], CancellationToken.None);

        var page = await ReadAsync(10, query: new FindingQuery(FindingStatus.Open));

        Assert.Equal(open, page.Items.Select(f => f.Id));
    }

    [Fact]
    public async Task ReadAsync_EmptyStore_EmptyPageWithoutToken()
    {
        var page = await ReadAsync(FindingPages.DefaultPageSize);

        Assert.Empty(page.Items);
        Assert.Null(page.Continuation);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(200, 3)]
    public async Task ReadAsync_PageSizeAtItsBounds_Reads(int pageSize, int expected)
    {
        await FindingsAsync(3);

        var page = await ReadAsync(pageSize);

        Assert.Equal(expected, page.Items.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(201)]
    public async Task ReadAsync_PageSizeOutOfBounds_ThrowsNamingIt(int pageSize)
    {
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ReadAsync(pageSize));

        Assert.Equal("pageSize", e.ParamName);
        Assert.Equal(pageSize, e.ActualValue);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("fnd-aaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("fnd-AAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task ReadAsync_TokenThisServiceDidNotMake_ThrowsSayingSo(string continuation)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ReadAsync(10, continuation));

        Assert.Equal("continuation", e.ParamName);
        Assert.Equal("the continuation token is not one this service made (Parameter 'continuation')", e.Message);
    }

    [Theory]
    [InlineData("fnd-0123456789abcdef01234567", true)]
    [InlineData("fnd-aaaaaaaaaaaaaaaaaaaaaaaa", true)]
    [InlineData("fnd-aaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("fnd-aaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("fnd-aaaaaaaaaaaaaaaaaaaaaaa\n", false)]
    [InlineData("fnd-aaaaaaaaaaaaaaaaaaaaaaaa\n", false)]
    [InlineData("fnd-AAAAAAAAAAAAAAAAAAAAAAAA", false)]
    [InlineData("fnd-gggggggggggggggggggggggg", false)]
    [InlineData("fnx-aaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("FND-aaaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData(" fnd-aaaaaaaaaaaaaaaaaaaaaaa", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValidId_Value_OnlyFndAndTwentyFourLowerHex(string? value, bool expected) =>
        Assert.Equal(expected, FindingPages.IsValidId(value));

    [Fact]
    public void IsValidId_IdsThisServiceMakes_AreValid() =>
        Assert.True(FindingPages.IsValidId(Finding.IdFor(TestData.Id(), FindingKind.AcceleratedNetworkingLost)) && FindingPages.IsValidId(ValidId));
}
