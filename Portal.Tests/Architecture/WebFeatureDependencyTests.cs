using System.Text.RegularExpressions;

namespace Portal.Tests.Architecture;

/// <summary>
/// Portal.Web is cut by feature (Portal.Web/Features/&lt;Name&gt;/): a feature may use another, never both ways round. The
/// check reads the source, not the assembly: a reference is a `using`/`@using` of another feature's namespace, a name
/// qualified with it (`Portal.Web.Features.Jobs.JobQueue`, or `Jobs.JobQueue` from a sibling), in the feature's .cs and
/// .razor files and its own _Imports.razor (Features/_Imports.razor, which all features share, may name no feature).
/// </summary>
public sealed partial class WebFeatureDependencyTests
{
    [GeneratedRegex(@"(?<![\w.])(?:Portal\.Web\.)?Features\.(?<feature>[A-Z]\w*)")]
    private static partial Regex FeatureReference();

    /// <summary>A sibling feature's type qualified relative to Portal.Web.Features (`Encoders.EncoderEvents` in Features/Admin).</summary>
    [GeneratedRegex(@"(?<![\w.])(?<feature>[A-Z]\w*)\.(?<type>[A-Z]\w*)")]
    private static partial Regex RelativeReference();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+(?<type>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [Fact]
    public void No_two_features_use_each_other()
    {
        var graph = FeatureGraph(out var _);
        var loops = new List<string>();
        foreach (var (a, uses) in graph)
            foreach (var (b, where) in uses)
                if (string.CompareOrdinal(a, b) < 0 && graph.TryGetValue(b, out var back) && back.TryGetValue(a, out var whereBack))
                    loops.Add($"{a} ⇄ {b} ({a} uses {b} in {where}; {b} uses {a} in {whereBack})");
        Assert.True(loops.Count == 0, "feature folders that use each other:\n" + string.Join("\n", loops));
    }

    [Fact]
    public void Feature_dependencies_have_no_cycle()
    {
        var graph = FeatureGraph(out var _);
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new List<string>();
        string? cycle = null;
        void Visit(string f)
        {
            if (cycle != null) return;
            state[f] = 1;
            path.Add(f);
            foreach (var next in graph.GetValueOrDefault(f)?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>())
            {
                if (state.GetValueOrDefault(next) == 1) { cycle = string.Join(" → ", path.SkipWhile(p => p != next).Append(next)); return; }
                if (state.GetValueOrDefault(next) == 0) Visit(next);
                if (cycle != null) return;
            }
            path.RemoveAt(path.Count - 1);
            state[f] = 2;
        }
        foreach (var f in graph.Keys.Order(StringComparer.Ordinal)) if (state.GetValueOrDefault(f) == 0) Visit(f);
        Assert.True(cycle == null, "feature folders in a cycle: " + cycle);
    }

    [Fact]
    public void The_features_folder_imports_no_feature_for_all_of_them()
    {
        // Features/_Imports.razor applies to every feature's components: a feature namespace there would let each of
        // them use that feature unseen by the checks above. Each feature's own _Imports.razor says what it uses.
        var imports = File.ReadAllText(Path.Combine(Repo(), "Portal.Web", "Features", "_Imports.razor"));
        var named = FeatureReference().Matches(imports).Select(m => m.Groups["feature"].Value).Distinct().ToList();
        Assert.True(named.Count == 0, "Features/_Imports.razor imports " + string.Join(", ", named));
    }

    [Fact]
    public void The_check_sees_the_features()
    {
        var graph = FeatureGraph(out var files);
        Assert.Contains("Leaderboard", graph.Keys);
        Assert.Contains("Encoders", graph.Keys);
        Assert.True(files > 100, $"only {files} source files read under Portal.Web/Features");
        Assert.Contains("Accounts", graph["Encoders"].Keys); // the encoder pages check roles: a known edge
    }

    [Fact]
    public void Portal_Web_source_names_no_TorchSharp()
    {
        var web = Path.Combine(Repo(), "Portal.Web");
        var csproj = File.ReadAllText(Path.Combine(web, "Portal.Web.csproj"));
        Assert.DoesNotMatch(new Regex(@"Include=""[^""]*TorchSharp", RegexOptions.IgnoreCase), csproj);
        var usesTorch = new Regex(@"^\s*@?using\s+(static\s+)?(\w+\s*=\s*)?TorchSharp\b", RegexOptions.Multiline);
        var offenders = Sources(web).Where(f => usesTorch.IsMatch(File.ReadAllText(f))).Select(f => Path.GetRelativePath(web, f)).ToList();
        Assert.True(offenders.Count == 0, "using TorchSharp in " + string.Join(", ", offenders));
    }

    /// <summary>Feature → the features it uses → one place it does.</summary>
    private static Dictionary<string, Dictionary<string, string>> FeatureGraph(out int files)
    {
        var features = Path.Combine(Repo(), "Portal.Web", "Features");
        var names = Directory.GetDirectories(features).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var graph = names.ToDictionary(n => n, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var types = names.ToDictionary(n => n, n => TypesIn(Path.Combine(features, n)), StringComparer.Ordinal);
        files = 0;
        foreach (var name in names)
        {
            foreach (var file in Sources(Path.Combine(features, name)))
            {
                files++;
                var text = File.ReadAllText(file);
                var used = FeatureReference().Matches(text).Select(m => m.Groups["feature"].Value)
                    .Concat(RelativeReference().Matches(text)
                        .Where(m => types.TryGetValue(m.Groups["feature"].Value, out var t) && t.Contains(m.Groups["type"].Value))
                        .Select(m => m.Groups["feature"].Value));
                foreach (var u in used)
                    if (u != name && names.Contains(u)) graph[name].TryAdd(u, Path.GetRelativePath(features, file));
            }
        }
        return graph;
    }

    /// <summary>The types a feature declares (.cs) and its components (.razor file names).</summary>
    private static HashSet<string> TypesIn(string dir)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Sources(dir))
        {
            if (file.EndsWith(".razor", StringComparison.Ordinal)) types.Add(Path.GetFileNameWithoutExtension(file));
            else foreach (Match m in TypeDeclaration().Matches(File.ReadAllText(file))) types.Add(m.Groups["type"].Value);
        }
        return types;
    }

    private static IEnumerable<string> Sources(string dir) =>
        Directory.EnumerateFiles(dir, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));

    private static string Repo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Portal.sln"))) return d.FullName;
        throw new InvalidOperationException("Portal.sln not found above " + AppContext.BaseDirectory);
    }
}
