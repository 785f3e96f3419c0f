using AnFunctions.Core.Findings;

namespace AnFunctions.Core.Tests.Findings;

/// <summary>
/// A finding's id is stored and linked (pages, alerts, the report): it must stay the same value for a pool and kind
/// across releases, so it is pinned (SHA-256 of "pool key|kind", computed outside the app).
/// </summary>
public sealed class FindingIdTests
{
    [Theory]
    [InlineData(FindingKind.AcceleratedNetworkingLost, "fnd-741108409e680fbb93874c7a")]
    [InlineData(FindingKind.SizeChanged, "fnd-eaa94b89fb64502a97949cea")]
    public void IdFor_PoolAndKind_FndAndTwentyFourHexOfTheHash(FindingKind kind, string expected)
    {
        Assert.Equal(expected, Finding.IdFor(TestData.Id(), kind));
    }

    [Fact]
    public void IdFor_PoolNameInAnotherCase_SameId()
    {
        Assert.Equal(Finding.IdFor(TestData.Id(), FindingKind.SizeChanged), Finding.IdFor(TestData.Id("NodePool-A1B2C"), FindingKind.SizeChanged));
    }
}
