using AnFunctions.Core.Findings;
using AnFunctions.InMemory.Findings;
using AnFunctions.InMemory.State;
using static AnFunctions.Infrastructure.Tests.Findings.FindingTestData;

namespace AnFunctions.Infrastructure.Tests.Findings;

public sealed class FindingLimitsTests
{
    [Fact]
    public void Normalize_WithinTheLimits_KeepsEveryValueWithDatesInUtc()
    {
        var finding = Full(NewPool());

        var normalized = FindingLimits.Normalize(finding);

        AssertSameFinding(finding, normalized);
        Assert.NotSame(finding.Evidence.EventIds, normalized.Evidence.EventIds);
    }

    [Fact]
    public void Normalize_LongList_KeepsTheLastItems()
    {
        var finding = Minimal(NewPool()) with { Evidence = new FindingEvidence { EventIds = Enumerable.Range(0, 150).Select(i => $"e{i}").ToArray() } };

        var normalized = FindingLimits.Normalize(finding);

        Assert.Equal(Enumerable.Range(50, 100).Select(i => $"e{i}"), normalized.Evidence.EventIds);
    }

    [Theory]
    [InlineData(8_001, FindingLimits.MaxTextLength)]
    [InlineData(20_000, FindingLimits.MaxTextLength)]
    public void Normalize_OneLongField_IsCutToTheTextLimitWithAMarker(int length, int limit)
    {
        var finding = Minimal(NewPool()) with { Remedy = new string('r', length) };

        var remedy = FindingLimits.Normalize(finding).Remedy;

        Assert.InRange(remedy.Length, limit - 64, limit);
        Assert.Contains($"of {length} chars kept]", remedy, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_JsonOverTheLimitAfterTheFirstCut_CutsToTheSecondTier()
    {
        var big = new string('x', 10_000);
        var finding = Minimal(NewPool()) with
        {
            Message = big,
            Consequence = big,
            Remedy = big,
            Evidence = new FindingEvidence { SizeSupport = big, ErrorMessage = big, Cluster = big, Location = big, CorrelationId = big, ErrorCode = big },
        };

        var normalized = FindingLimits.Normalize(finding);

        Assert.InRange(normalized.Message.Length, 1_900, 2_000);
        Assert.InRange(FindingJson.Serialize(normalized).Length, 1, FindingLimits.MaxSerializedLength);
    }

    [Fact]
    public void Normalize_TextEscapedSixfold_CutsToTheLastTier()
    {
        var control = new string('\u0002', 10_000);
        var finding = Minimal(NewPool()) with
        {
            Message = control,
            Consequence = control,
            Remedy = control,
            Evidence = new FindingEvidence { SizeSupport = control, ErrorMessage = control, Cluster = control, Location = control, CorrelationId = control, ErrorCode = control },
        };

        var normalized = FindingLimits.Normalize(finding);

        Assert.InRange(normalized.Message.Length, 400, 500);
        Assert.InRange(FindingJson.Serialize(normalized).Length, 1, FindingLimits.MaxSerializedLength);
    }

    [Fact]
    public void Normalize_OutboxEntry_NormalizesItsFindingDatesAndError()
    {
        var finding = Full(NewPool()) with { Message = new string('m', 9_000) };
        var entry = FullEntry(finding, "webhook", T0) with { LastError = new string('e', 9_000) };

        var normalized = FindingLimits.Normalize(entry);

        Assert.True(normalized.LastError!.Length <= FindingLimits.MaxTextLength);
        Assert.StartsWith("eee", normalized.LastError, StringComparison.Ordinal);
        Assert.Contains(StateLimits.TruncationMarkerStart, normalized.Notification.Finding.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, normalized.NextAttemptAt.Offset);
        Assert.Equal(TimeSpan.Zero, normalized.DeliveredAt!.Value.Offset);
        Assert.Equal(TimeSpan.Zero, normalized.Notification.CreatedAt.Offset);
        Assert.Equal(entry.NextAttemptAt.UtcTicks, normalized.NextAttemptAt.UtcTicks);
    }

    [Theory]
    [InlineData("", "webhook")]
    [InlineData("  ", "webhook")]
    [InlineData("id", "")]
    [InlineData("id", "a-sink-name-that-is-much-longer-than-any-real-sink-name-would-ever-be")]
    public void ValidateEntry_BlankOrLongIdOrSink_ThrowsArgument(string id, string sink)
    {
        var entry = Entry(Full(NewPool())) with { Id = id, Sink = sink };

        Assert.Throws<ArgumentException>(() => FindingLimits.ValidateEntry(entry));
    }

    [Fact]
    public void ValidateEntry_IdLongerThanAKey_ThrowsArgument()
    {
        var entry = Entry(Full(NewPool())) with { Id = new string('i', FindingLimits.MaxEntryIdLength + 1) };

        Assert.Throws<ArgumentException>(() => FindingLimits.ValidateEntry(entry));
        FindingLimits.ValidateEntry(entry with { Id = new string('i', FindingLimits.MaxEntryIdLength) });
    }

    [Fact]
    public void ValidateSave_TypicalSave_IsFarBelowTheTransactionBudget()
    {
        var finding = FindingLimits.Normalize(Full(NewPool()));
        var entries = new[] { "webhook", "teams", "slack", "pagerduty" }.Select(s => FindingLimits.Normalize(Entry(finding, s))).ToArray();

        FindingLimits.ValidateSave(finding, entries);

        Assert.InRange(FindingLimits.SavedLength(finding) + entries.Sum(FindingLimits.SavedLength), 1, FindingLimits.MaxSaveLength / 20);
    }
}
