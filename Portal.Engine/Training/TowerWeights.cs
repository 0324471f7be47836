using System.Security.Cryptography;
using System.Text.Json;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Training;

/// <summary>
/// A native tower's weights in and out of safetensors under the tower's canonical key names (the visual tower's
/// state_dict keys without OpenCLIP's `visual.` prefix — the layout FARE's released checkpoints use), with the input
/// recipe in the metadata so <see cref="EncoderLoader"/> restores the same preprocessing.
/// </summary>
public static class TowerWeights
{
    /// <summary>Metadata key holding the <see cref="Preprocessing"/> recipe as JSON.</summary>
    public const string RecipeKey = "portal.preprocessing";

    public static void Save(NativeEncoder encoder, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            [RecipeKey] = JsonSerializer.Serialize(encoder.Info.Preprocessing),
            ["portal.architecture"] = encoder.Tower.Spec.Family,
        };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        SafeTensors.Save(path, encoder.Tower.named_parameters().Select(p => KeyValuePair.Create(p.name, (Tensor)p.parameter)), meta);
    }

    /// <summary>Overwrites the tower's parameters from a file saved by <see cref="Save"/>; every key must match.</summary>
    public static void Load(NativeEncoder encoder, string path)
    {
        using var sd = SafeTensors.Load(path);
        var parameters = encoder.Tower.named_parameters().ToList();
        var missing = parameters.Where(p => !sd.Contains(p.name)).Select(p => p.name).ToList();
        if (missing.Count > 0) throw new CheckpointFormatException($"{path}: {missing.Count} parameter(s) missing, e.g. {missing[0]}");
        using var _ = torch.no_grad();
        foreach (var (name, p) in parameters)
        {
            var t = sd[name];
            if (!t.shape.SequenceEqual(p.shape))
                throw new CheckpointFormatException($"{path}: '{name}' is [{string.Join(",", t.shape)}], the model needs [{string.Join(",", p.shape)}]");
            p.copy_(t);
        }
    }

    /// <summary>sha256 over every parameter's name and raw bytes, in module order: identifies the exact weights.</summary>
    public static string Fingerprint(NativeEncoder encoder)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, p) in encoder.Tower.named_parameters())
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            using var c = p.detach().cpu().contiguous();
            sha.AppendData(c.bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>A second encoder with the same architecture, recipe and (copied) weights.</summary>
    public static NativeEncoder Clone(NativeEncoder source)
    {
        var tower = NativeTower.Build(source.Tower.Spec, new TensorPlace(source.Device, source.DType));
        using (torch.no_grad())
        {
            var src = source.Tower.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            foreach (var (name, p) in tower.named_parameters()) p.copy_(src[name]);
        }
        return new NativeEncoder(tower, source.Info, source.Device, source.DType);
    }
}
