using System.Text.Json;

namespace Portal.Engine.Demo.World;

/// <summary>
/// The shipped demo encoders (Demo/Weights, embedded in Portal.Contracts): demo-clean.safetensors, demo-fare.safetensors and
/// the manifest that `portal demo train --seed 0` reproduces.
/// </summary>
public static class DemoWeights
{
    public const string CleanFile = "demo-clean.safetensors", FareFile = "demo-fare.safetensors", ManifestFile = "manifest.json";

    public static Stream Open(string file) =>
        typeof(DemoWeights).Assembly.GetManifestResourceStream("demo-weights/" + file)
        ?? throw new FileNotFoundException($"demo weight file '{file}' is not embedded in this build");

    /// <summary>The sha256 the shipped manifest records for <paramref name="file"/> (the engine's DemoTraining reads the whole manifest).</summary>
    public static string Sha256Of(string file)
    {
        using var s = Open(ManifestFile);
        using var doc = JsonDocument.Parse(s);
        return doc.RootElement.GetProperty("Sha256").GetProperty(file).GetString() ?? throw new InvalidDataException($"demo manifest has no sha256 for {file}");
    }

    /// <summary>Writes the two encoders into <paramref name="dir"/> (unless already there) and returns their paths.</summary>
    public static (string Clean, string Fare) ExtractTo(string dir)
    {
        Directory.CreateDirectory(dir);
        string Copy(string file)
        {
            var path = Path.Combine(dir, file);
            var expected = Sha256Of(file);
            if (File.Exists(path) && Checkpoints.FileHash.Sha256(path) == expected) return path;
            using (var src = Open(file))
            using (var dst = File.Create(path + ".tmp")) src.CopyTo(dst);
            File.Move(path + ".tmp", path, overwrite: true);
            return path;
        }
        return (Copy(CleanFile), Copy(FareFile));
    }
}
