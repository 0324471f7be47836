namespace Portal.Tests.Support;

public static class FixturePaths
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");
    public static string Encoder(string name) => Path.Combine(Root, "encoders", name);
    public static string Manifest(string name) => Path.Combine(Root, "manifests", name);

    /// <summary>A fresh temp directory removed when disposed.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "portal-test-" + Guid.NewGuid().ToString("N")[..10]);
        public TempDir() => Directory.CreateDirectory(Path);
        public string File(string name) => System.IO.Path.Combine(Path, name);
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
