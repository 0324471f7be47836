using System.Reflection;

namespace Portal.Tests.Architecture;

/// <summary>The web never loads a checkpoint or TorchSharp: nothing it references, directly or through other assemblies, is the engine.</summary>
public sealed class WebDependencyTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "Portal.Engine", "Portal.Worker", "Portal.Cli"];

    [Fact]
    public void Portal_Web_reference_closure_has_no_engine_and_no_TorchSharp()
    {
        var web = typeof(Portal.Web.Configuration.PortalOptions).Assembly;
        var seen = new Dictionary<string, string?>(StringComparer.Ordinal); // assembly → who referenced it
        var todo = new Queue<(AssemblyName Name, string? By)>(web.GetReferencedAssemblies().Select(a => (a, (string?)web.GetName().Name)));
        while (todo.Count > 0)
        {
            var (name, by) = todo.Dequeue();
            if (!seen.TryAdd(name.Name!, by)) continue;
            Assembly loaded;
            try { loaded = Assembly.Load(name); }
            catch (FileNotFoundException) { continue; } // framework facades not in this folder: not ours
            foreach (var r in loaded.GetReferencedAssemblies()) todo.Enqueue((r, name.Name));
        }
        Assert.True(seen.Count > 20, $"the walk found only {seen.Count} assemblies: it did not run");
        Assert.Contains("Portal.Contracts", seen.Keys);
        var bad = seen.Where(kv => Forbidden.Any(f => kv.Key.StartsWith(f, StringComparison.Ordinal))).Select(kv => $"{kv.Key} (via {kv.Value})").ToList();
        Assert.True(bad.Count == 0, "Portal.Web reaches " + string.Join(", ", bad));
    }

    [Fact]
    public void Portal_Web_deps_file_names_no_TorchSharp_package()
    {
        // The web's own deps.json (what `dotnet Portal.Web.dll` loads) when the build put it next to the tests.
        var repo = FindRepo();
        var deps = Directory.EnumerateFiles(Path.Combine(repo, "Portal.Web", "bin"), "Portal.Web.deps.json", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(deps);
        foreach (var f in deps)
        {
            var text = File.ReadAllText(f);
            Assert.DoesNotContain("TorchSharp", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("libtorch", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Portal.Engine", text, StringComparison.Ordinal);
        }
    }

    private static string FindRepo()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Portal.sln"))) return d.FullName;
        throw new InvalidOperationException("Portal.sln not found above the test binaries");
    }
}

/// <summary>The web keeps its own copy of the engine's retrieval layout names (it cannot reference the engine).</summary>
public sealed class RetrievalFormatNamesTests
{
    [Fact]
    public void Web_retrieval_formats_are_the_engines() =>
        Assert.Equal(Portal.Engine.Retrieval.RetrievalDataset.Formats, Portal.Web.Features.Benchmarks.TaskBenchmarks.RetrievalFormats);
}
