using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Tests.Docs;

/// <summary>
/// The README and the pages under docs/ are what a newcomer walks: every relative link in them must lead somewhere
/// (a file or folder that exists; an anchor that is a heading of the target page, by GitHub's slug rules), and every
/// docs page must be reachable from the README's docs map.
/// </summary>
public sealed class DocsLinkTests
{
    private static readonly Regex Link = new(@"!?\[(?<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)",
        RegexOptions.Compiled);

    private static readonly Regex Heading = new(@"^(?<hashes>#{1,6})\s+(?<text>.+?)\s*#*\s*$", RegexOptions.Compiled);

    [Fact]
    public void Every_relative_link_in_the_readme_and_docs_leads_to_a_file_and_heading_that_exist()
    {
        var root = RepositoryRoot();
        var broken = new List<string>();
        foreach (var page in Pages(root))
            foreach (var (line, target) in Links(page))
            {
                var problem = Check(page, target);
                if (problem is not null)
                    broken.Add($"{Path.GetRelativePath(root, page)}:{line}: ({target}) {problem}");
            }
        Assert.True(broken.Count == 0, $"{broken.Count} broken link(s):\n" + string.Join("\n", broken));
    }

    [Fact]
    public void Every_docs_page_is_linked_from_the_readme_docs_map()
    {
        var root = RepositoryRoot();
        var readme = Path.Combine(root, "README.md");
        var lines = File.ReadAllLines(readme);
        var start = Array.FindIndex(lines, l => l.StartsWith("## ", StringComparison.Ordinal) &&
                                                l.Contains("docs", StringComparison.OrdinalIgnoreCase));
        Assert.True(start >= 0, "README.md has no '## …docs…' section (the docs map)");
        var end = Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        var map = lines[start..(end < 0 ? lines.Length : end)];

        var linked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in map)
            foreach (Match m in Link.Matches(line))
            {
                var (path, _) = Split(m.Groups["target"].Value);
                if (path.Length > 0 && !IsExternal(path))
                    linked.Add(Path.GetFullPath(Path.Combine(root, Uri.UnescapeDataString(path))));
            }

        var orphans = Directory.GetFiles(Path.Combine(root, "docs"), "*.md")
            .Select(Path.GetFullPath)
            .Where(p => !linked.Contains(p))
            .Select(p => Path.GetRelativePath(root, p))
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();
        Assert.True(orphans.Count == 0, "docs pages missing from the README's docs map:\n" + string.Join("\n", orphans));
    }

    private static readonly Regex DocsReference = new(@"docs/(?<page>[A-Za-z0-9_.-]+\.md)(?:, [“""](?<section>[^”""]+)[”""])?", RegexOptions.Compiled);
    private static readonly string[] SourceExtensions = [".cs", ".razor", ".sh", ".py", ".js", ".service", ".csproj", ".json"];
    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", ".git", "lib", "Fixtures", "fixtures"];

    /// <summary>
    /// Code, scripts and page texts that point a reader at a docs page ("docs/inversion.md, “In the portal”") name a page that
    /// exists and, when they quote a section, one of its headings: pages get renamed and merged, and a stale pointer sends
    /// the reader nowhere (the README sections they once named are gone).
    /// </summary>
    [Fact]
    public void Every_docs_page_and_section_named_in_code_exists()
    {
        var root = RepositoryRoot();
        var broken = new List<string>();
        var headings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        HashSet<string> HeadingsOf(string page) => headings.TryGetValue(page, out var h) ? h : headings[page] = Headings(File.ReadAllLines(page));
        foreach (var file in SourceFiles(root))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
                foreach (Match m in DocsReference.Matches(lines[i]))
                {
                    var page = Path.Combine(root, "docs", m.Groups["page"].Value);
                    var where = $"{Path.GetRelativePath(root, file)}:{i + 1}";
                    if (!File.Exists(page)) { broken.Add($"{where}: docs/{m.Groups["page"].Value} does not exist"); continue; }
                    if (m.Groups["section"].Success && !HeadingsOf(page).Contains(m.Groups["section"].Value.Trim()))
                        broken.Add($"{where}: docs/{m.Groups["page"].Value} has no section “{m.Groups["section"].Value}”");
                }
            foreach (Match m in Regex.Matches(string.Join('\n', lines), @"README(?:'s|,)\s+[“""]([^”""]+)[”""]"))
                if (!HeadingsOf(Path.Combine(root, "README.md")).Contains(m.Groups[1].Value.Trim()))
                    broken.Add($"{Path.GetRelativePath(root, file)}: the README has no section “{m.Groups[1].Value}”");
        }
        Assert.True(broken.Count == 0, $"{broken.Count} stale pointer(s) to the docs:\n" + string.Join("\n", broken));
    }

    private static readonly Regex ProjectPath = new(@"`(?<path>Portal\.[A-Za-z.]+/[^`\s]*)`", RegexOptions.Compiled);

    /// <summary>
    /// A path into a project that the README or a docs page names in code style (`Portal.Web/Http/ReadCache.cs`,
    /// `Portal.Tests/Web/Features/Accounts/`) exists: files move between folders (features, the test layout) and a stale
    /// path sends the reader nowhere. Patterns (`&lt;Feature&gt;`, `…`, `*`) are not paths, and build outputs (bin/,
    /// wwwroot/lib) exist only after a build: both are skipped.
    /// </summary>
    [Fact]
    public void Every_project_path_named_in_the_readme_and_docs_exists()
    {
        var root = RepositoryRoot();
        var broken = new List<string>();
        foreach (var page in Pages(root))
        {
            var lines = File.ReadAllLines(page);
            for (var i = 0; i < lines.Length; i++)
                foreach (Match m in ProjectPath.Matches(lines[i]))
                {
                    var path = m.Groups["path"].Value;
                    if (path.IndexOfAny(['<', '>', '…', '*', '{', '}']) >= 0 || path.Contains("/bin/") || path.Contains("wwwroot/lib")) continue;
                    var full = Path.Combine(root, path.Split(':')[0].TrimEnd('/'));
                    if (!File.Exists(full) && !Directory.Exists(full)) broken.Add($"{Path.GetRelativePath(root, page)}:{i + 1}: {path}");
                }
        }
        Assert.True(broken.Count == 0, $"{broken.Count} project path(s) named in the docs that do not exist:\n" + string.Join("\n", broken));
    }

    private static IEnumerable<string> SourceFiles(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.GetDirectories(dir))
                if (!SkippedFolders.Contains(Path.GetFileName(sub)) && !Path.GetFileName(sub).StartsWith('.') || Path.GetFileName(sub) == ".ci")
                    pending.Push(sub);
            foreach (var f in Directory.GetFiles(dir))
                if (SourceExtensions.Contains(Path.GetExtension(f)) || Path.GetFileName(f) == "run") yield return f;
        }
    }

    private static HashSet<string> Headings(IEnumerable<string> lines) => HeadingTexts(lines).Select(t => t.Trim()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The text of every heading outside code fences, in order.</summary>
    private static IEnumerable<string> HeadingTexts(IEnumerable<string> lines)
    {
        var inFence = false;
        foreach (var line in lines)
        {
            if (IsFence(line)) { inFence = !inFence; continue; }
            if (!inFence && Heading.Match(line) is { Success: true } m) yield return m.Groups["text"].Value;
        }
    }

    [Theory]
    [InlineData("Checkpoints: what the engine reads, what it refuses, and why", "checkpoints-what-the-engine-reads-what-it-refuses-and-why")]
    [InlineData("The portal (Portal.Web + Portal.Data)", "the-portal-portalweb--portaldata")]
    [InlineData("Bench: `portal bench attack`", "bench-portal-bench-attack")]
    [InlineData("Demo world (Portal.Engine/Demo/World)", "demo-world-portalenginedemoworld")]
    [InlineData("Fine-tuned variants (paper's MLP and LoRA models)", "fine-tuned-variants-papers-mlp-and-lora-models")]
    [InlineData("Measured (CPU; shipped weights of `portal demo train --seed 0`)", "measured-cpu-shipped-weights-of-portal-demo-train---seed-0")]
    [InlineData("snake_case and **bold** [a link](x.md)", "snake_case-and-bold-a-link")]
    public void Slugs_follow_github(string heading, string slug) => Assert.Equal(slug, Slug(heading));

    [Fact]
    public void Duplicate_headings_get_numbered_suffixes()
    {
        var anchors = Anchors(["# Commands", "## Commands", "```", "# Commands", "```", "### Commands"]);
        Assert.Equal(["commands", "commands-1", "commands-2"], anchors.OrderBy(a => a, StringComparer.Ordinal));
    }

    private static string? Check(string page, string target)
    {
        var (path, anchor) = Split(target);
        var resolved = path.Length == 0
            ? page
            : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(path)));
        if (!File.Exists(resolved) && !Directory.Exists(resolved)) return "target does not exist";
        if (anchor is null) return null;
        if (!resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(resolved))
            return null; // anchors into source files (#L12) or folders are not headings
        var anchors = Anchors(File.ReadAllLines(resolved));
        return anchors.Contains(Uri.UnescapeDataString(anchor)) ? null : $"no heading with anchor #{anchor}";
    }

    private static (string Path, string? Anchor) Split(string target)
    {
        var hash = target.IndexOf('#');
        return hash < 0 ? (target, null) : (target[..hash], target[(hash + 1)..]);
    }

    private static bool IsExternal(string target) =>
        target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
        target.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ||
        target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> Pages(string root) =>
        new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").OrderBy(p => p, StringComparer.Ordinal));

    /// <summary>(line number, target) of every link outside fenced code blocks and inline code spans.</summary>
    private static IEnumerable<(int Line, string Target)> Links(string page)
    {
        var lines = File.ReadAllLines(page);
        var inFence = false;
        for (var i = 0; i < lines.Length; i++)
        {
            if (IsFence(lines[i])) { inFence = !inFence; continue; }
            if (inFence) continue;
            var text = Regex.Replace(lines[i], "`[^`]*`", "");
            foreach (Match m in Link.Matches(text))
            {
                var target = m.Groups["target"].Value;
                if (!IsExternal(target)) yield return (i + 1, target);
            }
        }
    }

    private static bool IsFence(string line) => line.TrimStart().StartsWith("```", StringComparison.Ordinal);

    private static HashSet<string> Anchors(IEnumerable<string> lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in HeadingTexts(lines))
        {
            var slug = Slug(text);
            if (counts.TryGetValue(slug, out var n))
            {
                counts[slug] = n + 1;
                anchors.Add($"{slug}-{n}");
            }
            else
            {
                counts[slug] = 1;
                anchors.Add(slug);
            }
        }
        return anchors;
    }

    /// <summary>GitHub's heading anchor: the rendered text lower-cased, punctuation other than - and _ dropped, spaces → -.</summary>
    internal static string Slug(string heading)
    {
        var text = Regex.Replace(heading, @"\[([^\]]*)\]\([^)]*\)", "$1"); // a link renders as its text
        text = text.Replace("`", "").Replace("**", "").Replace("*", "");
        var sb = new StringBuilder();
        foreach (var c in text.Trim().ToLowerInvariant())
        {
            var cat = CharUnicodeInfo.GetUnicodeCategory(c);
            if (c == ' ') sb.Append('-');
            else if (c is '-' or '_') sb.Append(c);
            else if (char.IsLetterOrDigit(c) || cat is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)
                sb.Append(c);
        }
        return sb.ToString();
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Portal.sln"))) return d.FullName;
        throw new InvalidOperationException($"no Portal.sln above {AppContext.BaseDirectory}");
    }
}
