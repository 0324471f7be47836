using Portal.Engine.Text;
using Portal.Engine.Text.Cleaning;

namespace Portal.Tests.Text;

/// <summary>
/// The HTML clean-up of open_clip's tokenizer: Python's html.unescape and ftfy's unescape_html. Expected values were
/// printed by Python 3.11 (tools/gen_html_unescape_cases.py: html.unescape itself, and ftfy's rules over Python's HTML5 table).
/// </summary>
public class PythonHtmlTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("fish &amp; chips", "fish & chips")]
    [InlineData("&amp;amp;", "&amp;")]
    [InlineData("&amp", "&")]
    [InlineData("&ampx", "&x")]
    [InlineData("AT&T", "AT&T")]
    [InlineData("&notit;", "\u00acit;")]
    [InlineData("&notin;", "\u2209")]
    [InlineData("&not", "\u00ac")]
    [InlineData("&noti", "\u00aci")]
    [InlineData("&Eacute;t&eacute;", "\u00c9t\u00e9")]
    [InlineData("&Eacute", "\u00c9")]
    [InlineData("&EAcute;", "&EAcute;")]
    [InlineData("&NTILDE;", "&NTILDE;")]
    [InlineData("&lt;b&gt;", "<b>")]
    [InlineData("&LT;", "<")]
    [InlineData("&LTx", "<x")]
    [InlineData("&quot;hi&quot;", "\"hi\"")]
    [InlineData("&apos;", "'")]
    [InlineData("&nbsp;x", "\u00a0x")]
    [InlineData("&#39;", "'")]
    [InlineData("&#x27;", "'")]
    [InlineData("&#X27", "'")]
    [InlineData("&#65&#66;", "AB")]
    [InlineData("&#x80;", "\u20ac")]
    [InlineData("&#x81;", "\u0081")]
    [InlineData("&#150;", "\u2013")]
    [InlineData("&#0;", "\ufffd")]
    [InlineData("&#13;", "\r")]
    [InlineData("&#x1F600;", "\ud83d\ude00")]
    [InlineData("&#xD800;", "\ufffd")]
    [InlineData("&#1114112;", "\ufffd")]
    [InlineData("&#99999999999;", "\ufffd")]
    [InlineData("&#x10FFFF;", "")]
    [InlineData("&#xFFFE;", "")]
    [InlineData("&#11;", "")]
    [InlineData("&#x7F;", "")]
    [InlineData("&#;", "&#;")]
    [InlineData("&#x;", "&#x;")]
    [InlineData("& amp;", "& amp;")]
    [InlineData("&&amp;", "&&")]
    [InlineData("&unknownentity;", "&unknownentity;")]
    [InlineData("&aacute;&Aacute;", "\u00e1\u00c1")]
    [InlineData("&Afr;", "\ud835\udd04")]
    [InlineData("&fjlig;", "fj")]
    [InlineData("&ThickSpace;", "\u205f\u200a")]
    [InlineData("&nGt;", "\u226b\u20d2")]
    [InlineData("&bne;", "=\u20e5")]
    [InlineData("&copysr;", "\u2117")]
    [InlineData("&copy2022", "\u00a92022")]
    [InlineData("&reg;&REG;&REG", "\u00ae\u00ae\u00ae")]
    [InlineData("&frac12;&frac1;", "\u00bd&frac1;")]
    [InlineData("a&b;c", "a&b;c")]
    [InlineData("&abcdefghijklmnopqrstuvwxyzabcdefg;", "&abcdefghijklmnopqrstuvwxyzabcdefg;")]
    [InlineData("&xx&yy;", "&xx&yy;")]
    public void Unescape_matches_python_html_unescape(string input, string expected) => Assert.Equal(expected, PythonHtml.Unescape(input));

    [Theory]
    [InlineData("&amp;", "&")]
    [InlineData("&amp", "&amp")]
    [InlineData("&NTILDE;", "\u00d1")]
    [InlineData("&Ntilde;", "\u00d1")]
    [InlineData("&SZLIG;", "SS")]
    [InlineData("&FFLIG;", "FF")]
    [InlineData("&NAPOS;", "\u02bcN")]
    [InlineData("&EAcute;", "&EAcute;")]
    [InlineData("&LT;", "<")]
    [InlineData("&GT;", ">")]
    [InlineData("&notit;", "&notit;")]
    [InlineData("&#x80;", "\u20ac")]
    [InlineData("&#39;", "'")]
    [InlineData("&#0;", "\ufffd")]
    [InlineData("&#;", "&#;")]
    [InlineData("&#x110000;", "\ufffd")]
    [InlineData("&#65", "&#65")]
    [InlineData("&nbsp;", "\u00a0")]
    [InlineData("&AELIG;", "\u00c6")]
    [InlineData("&ZWNJ;", "\u200c")]
    public void Ftfy_unescape_replaces_only_complete_entities(string input, string expected) => Assert.Equal(expected, PythonHtml.FtfyUnescape(input));

    [Fact]
    public void Tables_have_python_s_sizes()
    {
        Assert.Equal(2231, Html5Entities.Table.Count);                 // html.entities.html5
        Assert.Equal(2125 + 1376, PythonHtml.FtfyEntityCount);        // ftfy: every ';' name + the upper-cased spellings
    }
}
