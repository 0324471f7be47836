"""Prints C# InlineData rows for Portal.Tests/Text/PythonHtmlTests.cs: inputs and Python's html.unescape of them.
Run with the Python whose html module open_clip uses: python3 tools/gen_html_unescape_cases.py"""
import html
import json

CASES = [
    "plain text", "fish &amp; chips", "&amp;amp;", "&amp", "&ampx", "AT&T", "&notit;", "&notin;", "&not", "&noti",
    "&Eacute;t&eacute;", "&Eacute", "&EAcute;", "&NTILDE;", "&lt;b&gt;", "&LT;", "&LTx", "&quot;hi&quot;", "&apos;",
    "&nbsp;x", "&#39;", "&#x27;", "&#X27", "&#65&#66;", "&#x80;", "&#x81;", "&#150;", "&#0;", "&#13;", "&#x1F600;",
    "&#xD800;", "&#1114112;", "&#99999999999;", "&#x10FFFF;", "&#xFFFE;", "&#11;", "&#x7F;", "&#;", "&#x;", "& amp;",
    "&&amp;", "&unknownentity;", "&aacute;&Aacute;", "&Afr;", "&fjlig;", "&ThickSpace;", "&nGt;", "&bne;", "&copysr;",
    "&copy2022", "&reg;&REG;&REG", "&frac12;&frac1;", "a&b;c", "&abcdefghijklmnopqrstuvwxyzabcdefg;", "&xx&yy;",
]

for c in CASES:
    print(f"    [InlineData({json.dumps(c)}, {json.dumps(html.unescape(c))})]")


# ftfy 6's unescape_html, restated from its documented rules (complete entities only; upper-cased spellings of
# lower-case entities that html.unescape leaves alone; numeric ones unless html.unescape keeps them as written).
def ftfy_entities():
    d = {}
    for name, ch in html.entities.html5.items():
        if name.endswith(";"):
            d["&" + name] = ch
            if name == name.lower():
                up = "&" + name.upper()
                if html.unescape(up) == up:
                    d[up] = ch.upper()
    return d


FTFY = ftfy_entities()
FTFY_CASES = ["&amp;", "&amp", "&NTILDE;", "&Ntilde;", "&SZLIG;", "&FFLIG;", "&NAPOS;", "&EAcute;", "&LT;", "&GT;",
              "&notit;", "&#x80;", "&#39;", "&#0;", "&#;", "&#x110000;", "&#65", "&nbsp;", "&AELIG;", "&ZWNJ;"]
print()
print(f"    // ftfy table size: {len(FTFY)}")
for c in FTFY_CASES:
    import re
    def rep(m):
        e = m.group(0)
        if e in FTFY:
            return FTFY[e]
        if e.startswith("&#"):
            dec = html.unescape(e)
            return e if ";" in dec else dec
        return e
    print(f"    [InlineData({json.dumps(c)}, {json.dumps(re.sub(r'&#?[0-9A-Za-z]{1,24};', rep, c))})]")
