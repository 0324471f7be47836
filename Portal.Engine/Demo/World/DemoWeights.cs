using System.Text.Json;

namespace Portal.Engine.Demo.World;

/// <summary>
/// The shipped demo encoders (Demo/Weights, embedded in the engine): demo-clean.safetensors, demo-fare.safetensors and
/// the manifest that `portal demo train --seed 0` reproduces.
/// </summary>
public static class DemoWeights
{
    public static Stream Open(string file) =>
        typeof(DemoWeights).Assembly.GetManifestResourceStream("demo-weights/" + file)
        ?? throw new FileNotFoundException($"demo weight file '{file}' is not embedded in this build");

    public static DemoTraining.Manifest Manifest()
    {
        using var s = Open(DemoTraining.ManifestFile);
        return JsonSerializer.Deserialize<DemoTraining.Manifest>(s) ?? throw new InvalidDataException("empty demo manifest");
    }

    /// <summary>Writes the two encoders into <paramref name="dir"/> (unless already there) and returns their paths.</summary>
    public static (string Clean, string Fare) ExtractTo(string dir)
    {
        Directory.CreateDirectory(dir);
        string Copy(string file)
        {
            var path = Path.Combine(dir, file);
            var expected = Manifest().Sha256[file];
            if (File.Exists(path) && Checkpoints.FileHash.Sha256(path) == expected) return path;
            using (var src = Open(file))
            using (var dst = File.Create(path + ".tmp")) src.CopyTo(dst);
            File.Move(path + ".tmp", path, overwrite: true);
            return path;
        }
        return (Copy(DemoTraining.CleanFile), Copy(DemoTraining.FareFile));
    }
}
