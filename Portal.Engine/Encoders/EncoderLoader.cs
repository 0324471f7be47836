using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders.Native;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders;

/// <summary>
/// Loads a checkpoint file as an <see cref="IImageEncoder"/>: reads it (CheckpointLoader, format from the
/// bytes), detects the architecture and size from keys and shapes (or takes the operator's override), builds
/// the native tower, binds the tensors key for key (refusing missing/unexpected keys unless forced), merges a
/// LoRA adapter and adds an MLP head when asked, and records the input recipe.
/// </summary>
public static class EncoderLoader
{
    public static IImageEncoder Load(string path, EncoderLoadOptions? options = null)
    {
        if (!File.Exists(path)) throw new CheckpointFormatException($"checkpoint not found: {path}");
        options ??= new EncoderLoadOptions();
        // TorchScript is code, not a state dict: it becomes a generic encoder (refused unless allowed).
        if (CheckpointLoader.Detect(path) == CheckpointLoader.Kind.TorchScript)
            return TorchScriptEncoder.Load(path, options);
        var device = options.Device ?? CPU;
        var place = new TensorPlace(device, options.DType);
        // Plan before read: the key set and shapes must be a known architecture before a byte of storage is read, so a
        // small file declaring gigabytes for keys no encoder has is refused without allocating them.
        using var sd = CheckpointLoader.Load(path, new CheckpointLoadOptions
        {
            AllowTorchScript = options.AllowTorchScript,
            Validate = plan => ArchitectureDetector.Detect(ArchitectureDetector.SelectVisual(plan.Tensors.Select(t => (t.Name, t.Shape))), options.Architecture),
        });
        var visual = ArchitectureDetector.SelectVisual(sd.Keys.Select(k => (k, sd[k].shape)));
        var spec = ArchitectureDetector.Detect(visual, options.Architecture);

        var tower = NativeTower.Build(spec, place);
        MlpHead? head = null;
        try
        {
            var report = KeyBinder.Bind(tower, sd, visual, options.Force, Path.GetFileName(path));
            var details = new Dictionary<string, string>(spec.Details())
            {
                ["size"] = spec.SizeName,
                ["checkpoint_layout"] = visual.Prefix.EndsWith("visual.", StringComparison.Ordinal) ? "whole OpenCLIP model (visual.* used)" : "visual tower only",
                ["ignored_text_keys"] = visual.IgnoredTextKeys.ToString(),
                ["native_image_size"] = spec.NativeImageSize.ToString(),
            };
            if (options.LoraPath is { } lora)
            {
                var l = LoraMerge.Merge(tower, lora);
                details["lora"] = $"{l.MergedModules} modules merged, r={l.Rank}, alpha={l.Alpha}, scale={l.Scale:R}";
            }
            if (options.MlpHeadPath is { } mlp)
            {
                head = MlpHead.Load(mlp, spec.EmbeddingDim, place);
                details["mlp_head"] = $"fc1 {spec.EmbeddingDim}→{head.Hidden}, relu, fc2 → {spec.EmbeddingDim}, + input";
            }
            var fineTuned = options.LoraPath is not null || options.MlpHeadPath is not null;
            var recipe = options.Preprocessing ?? RecordedRecipe(sd, path) ?? (fineTuned ? Recipes.FineTuned(spec) : Recipes.Default(spec));
            long parameters = tower.parameters().Sum(p => p.numel()) + (head?.parameters().Sum(p => p.numel()) ?? 0);
            var info = new EncoderInfo(spec.Family, FormatOf(path), spec.EmbeddingDim, parameters, recipe)
            {
                MissingKeys = report.Missing,
                UnexpectedKeys = report.Unexpected,
                Details = details,
            };
            return new NativeEncoder(tower, info, device, options.DType, head);
        }
        catch
        {
            head?.Dispose();
            tower.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The input recipe a checkpoint written by the engine records (safetensors metadata `portal.preprocessing`, see
    /// Training.TowerWeights): models trained at their own resolution, such as the demo encoders, keep it on reload.
    /// </summary>
    private static Preprocessing? RecordedRecipe(StateDict sd, string path)
    {
        if (!sd.Metadata.TryGetValue("portal.preprocessing", out var json)) return null;
        try { return System.Text.Json.JsonSerializer.Deserialize<Preprocessing>(json); }
        catch (System.Text.Json.JsonException e) { throw new EncoderLoadException($"{path}: metadata 'portal.preprocessing' is not a valid recipe ({e.Message})"); }
    }

    /// <summary>The container format, from the file's first bytes (zip = torch.save / TorchScript archive).</summary>
    public static string FormatOf(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var s = File.OpenRead(path);
        int n = s.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        if (n >= 2 && head[0] == (byte)'P' && head[1] == (byte)'K') return "pytorch-zip";
        if (n >= 1 && head[0] == 0x80) return "pytorch-pickle";
        return "safetensors";
    }
}
