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
    [InlineData("[click](https://evil.example)")]
    [InlineData("*bold* and _it_ on MC_rg_aks_westeurope")]
    [InlineData(@"back\slash")]
    [InlineData("- item")]
    [InlineData("12. first")]
    [InlineData("<script>alert(1)</script>")]
    public void Plain_MarkupCharacters_KeptAsTheyAreWithNothingAdded(string text) =>
        Assert.Equal(text, AlertText.Plain(text, 2000));

    [Fact]
    public void Plain_OneLine_JoinsLinesWithSpaces() =>
        Assert.Equal("a b - c", AlertText.Plain("a\r\nb\n- c", 100));

    [Fact]
    public void Plain_Multiline_NormalizesLineBreaksAndControlCharacters() =>
        Assert.Equal("a\n- b\n1. c\n  + d e", AlertText.Plain("a\n- b\r\n1. c\r  + d\te", 100, multiline: true));

    [Fact]
    public void Plain_TooLong_CutToTheLimitWithAnEllipsis()
    {
        var cut = AlertText.Plain(new string('x', 50), 10);

        Assert.Equal(new string('x', 9) + AlertText.Ellipsis, cut);
    }

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
