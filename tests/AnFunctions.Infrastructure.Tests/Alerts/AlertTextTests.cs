using AnFunctions.Infrastructure.Alerts;

namespace AnFunctions.Infrastructure.Tests.Alerts;

public sealed class AlertTextTests
{
    [Theory]
    [InlineData("a & b", "a &amp; b")]
    [InlineData("<@U123> and <!channel>", "&lt;@U123&gt; and &lt;!channel&gt;")]
    [InlineData("<https://evil.example|click>", "&lt;https://evil.example|click&gt;")]
    [InlineData("&amp;", "&amp;amp;")]
    [InlineData("*bold* _it_ Standard_D4s_v5", "*bold* _it_ Standard_D4s_v5")]
    [InlineData("one\r\ntwo\rthree\tfour", "one\ntwo\nthree four")]
    public void Slack_MarkupCharacters_BecomeEntities(string text, string expected) =>
        Assert.Equal(expected, AlertText.Slack(text, 3000));

    [Fact]
    public void Slack_TooLong_CutsBeforeTheLimitNeverInsideAnEntity()
    {
        var text = new string('a', 8) + "<<<<";

        var escaped = AlertText.Slack(text, 14);

        Assert.True(escaped.Length <= 14);
        Assert.Equal("aaaaaaaa&lt;…", escaped);
    }

    [Theory]
    [InlineData("[click](https://evil.example)", @"\[click\](https://evil.example)")]
    [InlineData("*bold* and _it_", @"\*bold\* and \_it\_")]
    [InlineData(@"back\slash", @"back\\slash")]
    [InlineData("aks-pool1 (1.2)", "aks-pool1 (1.2)")]
    [InlineData("- item", @"\- item")]
    [InlineData("+ item", @"\+ item")]
    [InlineData("12. first", @"12\. first")]
    [InlineData("version 1.2 - ok", "version 1.2 - ok")]
    [InlineData("<script>alert(1)</script>", "<script>alert(1)</script>")]
    public void Card_MarkdownCharacters_AreBackslashEscaped(string text, string expected) =>
        Assert.Equal(expected, AlertText.Card(text, 2000));

    [Fact]
    public void Card_OneLine_JoinsLinesWithSpacesSoNoListCanStart() =>
        Assert.Equal("a b - c", AlertText.Card("a\r\nb\n- c", 100));

    [Fact]
    public void Card_Multiline_KeepsParagraphsAndEscapesListsOnEveryLine() =>
        Assert.Equal("a\n\n\\- b\n\n1\\. c\n\n  \\+ d", AlertText.Card("a\n- b\r\n1. c\n  + d", 100, multiline: true));

    [Fact]
    public void Truncate_SurrogatePairAtTheCut_KeepsWholeCharacters()
    {
        var text = "ab" + string.Concat(Enumerable.Repeat("😀", 10));

        var cut = AlertText.Truncate(text, 7);

        Assert.Equal("ab😀😀…", cut);
        Assert.True(cut.Length <= 7);
    }

    [Fact]
    public void Truncate_ShortText_IsUnchanged() => Assert.Equal("short", AlertText.Truncate("short", 5));

    [Fact]
    public void OneLine_ControlCharacters_BecomeOneSpace() => Assert.Equal("a b c", AlertText.OneLine("a\r\n\t b\u2028c\0"));
}
