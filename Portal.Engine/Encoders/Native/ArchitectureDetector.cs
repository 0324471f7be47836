using System.Text.RegularExpressions;
using Portal.Engine.Checkpoints;

namespace Portal.Engine.Encoders.Native;

/// <summary>The visual tower's keys as found in a checkpoint, and how they were found.</summary>
public sealed record VisualKeys(
    IReadOnlyDictionary<string, long[]> Shapes,
    string Prefix,
    int IgnoredTextKeys)
{
    public bool Has(string key) => Shapes.ContainsKey(key);
    public long[] Shape(string key) => Shapes.TryGetValue(key, out var s) ? s
        : throw new EncoderLoadException($"checkpoint has no '{Prefix}{key}', needed to size the model");
}

/// <summary>
/// Detects architecture and size from key names and tensor shapes. Accepts whole OpenCLIP checkpoints
/// (`visual.*` plus text-tower keys, which are ignored and counted) and visual-only dicts without the prefix
/// (the FARE/TeCoA `.pt` files). Override syntax: `family[:key=value,...]`, e.g. `openclip-vit:quickgelu,heads=16`.
/// </summary>
public static partial class ArchitectureDetector
{
    public static VisualKeys SelectVisual(IEnumerable<(string Key, long[] Shape)> tensors)
    {
        var all = tensors.ToList();
        var keys = all.Select(t => t.Key).ToList();
        // DDP's `module.` prefix on every key (open_clip strips it too).
        string wrapper = keys.Count > 0 && keys.All(k => k.StartsWith("module.", StringComparison.Ordinal)) ? "module." : "";
        bool whole = keys.Any(k => k.StartsWith(wrapper + "visual.", StringComparison.Ordinal));
        string prefix = wrapper + (whole ? "visual." : TrainingBackbonePrefix(keys, wrapper));
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        int ignored = 0;
        foreach (var (k, s) in all)
        {
            if (k.StartsWith(prefix, StringComparison.Ordinal)) shapes[k[prefix.Length..]] = s;
            else ignored++;
        }
        return new VisualKeys(shapes, prefix, whole ? ignored : 0) { };
    }

    /// <summary>
    /// The DINO/DINOv2 training code saves the whole meta-architecture flat (`teacher.backbone.*`,
    /// `student.backbone.*`, `teacher.dino_head.*`, …): the encoder is the teacher's backbone, as their evals load
    /// it. Wrapper dicts ({"teacher": …}) are unwrapped earlier, by CheckpointWrappers.
    /// </summary>
    private static string TrainingBackbonePrefix(List<string> keys, string wrapper)
    {
        foreach (var p in TrainingBackbonePrefixes)
            if (keys.Contains(wrapper + p + "patch_embed.proj.weight")) return p;
        return "";
    }

    private static readonly string[] TrainingBackbonePrefixes = ["teacher.backbone.", "student.backbone.", "backbone."];

    public static ArchitectureSpec Detect(VisualKeys v, string? overrideArch = null)
    {
        var (family, settings) = ParseOverride(overrideArch);
        family ??= GuessFamily(v) ?? throw new EncoderLoadException(
            "unrecognised architecture: the checkpoint has none of the keys of a supported encoder " +
            $"(openclip-convnext: trunk.stem.0.weight; openclip-vit: conv1.weight + class_embedding; dino-vit: patch_embed.proj.weight + cls_token; dinov2-vit: the same + mask_token or blocks.0.ls1.gamma). First keys: {FirstKeys(v)}. " +
            "Export other encoders as TorchScript.");
        try
        {
            return family switch
            {
                ArchitectureFamily.OpenClipConvNext => ConvNext(v),
                ArchitectureFamily.OpenClipVit => ClipVit(v, settings),
                ArchitectureFamily.DinoVit => Dino(v, settings),
                ArchitectureFamily.Dinov2Vit => Dinov2(v, settings),
                _ => throw new EncoderLoadException($"unknown architecture '{family}' (supported: {string.Join(", ", ArchitectureFamily.All)})"),
            };
        }
        catch (EncoderLoadException e) when (overrideArch is not null)
        {
            throw new EncoderLoadException($"checkpoint does not fit the requested architecture '{overrideArch}': {e.Message}");
        }
    }

    public static string? GuessFamily(VisualKeys v)
    {
        if (v.Has("trunk.stem.0.weight")) return ArchitectureFamily.OpenClipConvNext;
        if (v.Has("conv1.weight") && v.Has("class_embedding")) return ArchitectureFamily.OpenClipVit;
        if (v.Has("patch_embed.proj.weight") && v.Has("cls_token"))
            return IsDinov2(v) ? ArchitectureFamily.Dinov2Vit : ArchitectureFamily.DinoVit;
        return null;
    }

    private static string FirstKeys(VisualKeys v) =>
        v.Shapes.Count == 0 ? "(none)" : string.Join(", ", v.Shapes.Keys.Take(5).Select(k => v.Prefix + k)) + (v.Shapes.Count > 5 ? ", …" : "");

    internal static (string? Family, Dictionary<string, string> Settings) ParseOverride(string? arch)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(arch)) return (null, settings);
        var parts = arch.Trim().Split(':', 2);
        var family = parts[0].Trim().ToLowerInvariant();
        // Convenience spelling: openclip-vit-quickgelu.
        if (family.EndsWith("-quickgelu", StringComparison.Ordinal)) { family = family[..^"-quickgelu".Length]; settings["quickgelu"] = "true"; }
        if (!ArchitectureFamily.All.Contains(family))
            throw new EncoderLoadException($"unknown architecture '{parts[0]}' (supported: {string.Join(", ", ArchitectureFamily.All)})");
        if (parts.Length > 1)
            foreach (var item in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = item.Split('=', 2);
                settings[kv[0]] = kv.Length > 1 ? kv[1] : "true";
            }
        var known = new[] { "quickgelu", "heads" };
        var bad = settings.Keys.Where(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)).ToList();
        if (bad.Count > 0) throw new EncoderLoadException($"unknown architecture setting(s) {string.Join(", ", bad)} in '{arch}' (known: {string.Join(", ", known)})");
        return (family, settings);
    }

    private static ConvNextSpec ConvNext(VisualKeys v)
    {
        var stageIdx = Indices(v, StageRegex());
        if (stageIdx.Count == 0) throw new EncoderLoadException($"no 'trunk.stages.N.blocks.M' keys found");
        int stages = stageIdx.Max() + 1;
        var dims = new int[stages];
        var depths = new int[stages];
        for (int i = 0; i < stages; i++)
        {
            dims[i] = (int)v.Shape($"trunk.stages.{i}.blocks.0.conv_dw.weight")[0];
            var prefix = $"trunk.stages.{i}.blocks.";
            depths[i] = v.Shapes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Select(k => int.Parse(k[prefix.Length..].Split('.')[0])).Distinct().Count();
        }
        if (v.Has("head.proj.weight"))
            return new ConvNextSpec(dims, depths, (int)v.Shape("head.proj.weight")[0], ConvNextHead.Linear);
        if (v.Has("head.mlp.fc1.weight"))
            return new ConvNextSpec(dims, depths, (int)v.Shape("head.mlp.fc2.weight")[0], ConvNextHead.Mlp,
                (int)v.Shape("head.mlp.fc1.weight")[0], v.Has("head.mlp.fc2.bias"));
        throw new EncoderLoadException("ConvNeXt checkpoint has neither 'head.proj.weight' nor 'head.mlp.fc1.weight' (OpenCLIP projection head)");
    }

    private static ClipVitSpec ClipVit(VisualKeys v, Dictionary<string, string> settings)
    {
        var conv = v.Shape("conv1.weight");
        int width = (int)conv[0], patch = (int)conv[2];
        int tokens = (int)v.Shape("positional_embedding")[0];
        int grid = GridOf(tokens - 1, "positional_embedding");
        int layers = Indices(v, ResblockRegex()).DefaultIfEmpty(-1).Max() + 1;
        if (layers == 0) throw new EncoderLoadException("no 'transformer.resblocks.N' keys found");
        int embed = (int)v.Shape("proj")[1];
        int hidden = (int)v.Shape("transformer.resblocks.0.mlp.c_fc.weight")[0];
        bool quick = settings.TryGetValue("quickgelu", out var q) && q != "false";
        return new ClipVitSpec(width, layers, Heads(width, settings, clip: true), patch, grid, embed, hidden, quick, v.Has("transformer.resblocks.0.ls_1.gamma"));
    }

    private static DinoVitSpec Dino(VisualKeys v, Dictionary<string, string> settings)
    {
        var conv = v.Shape("patch_embed.proj.weight");
        int dim = (int)conv[0], patch = (int)conv[2];
        int grid = GridOf((int)v.Shape("pos_embed")[1] - 1, "pos_embed");
        int depth = Indices(v, DinoBlockRegex()).DefaultIfEmpty(-1).Max() + 1;
        if (depth == 0) throw new EncoderLoadException("no 'blocks.N' keys found");
        int hidden = (int)v.Shape("blocks.0.mlp.fc1.weight")[0];
        return new DinoVitSpec(dim, depth, Heads(dim, settings, clip: false), patch, grid, hidden);
    }

    /// <summary>
    /// DINO v1 has neither a mask token nor LayerScale; every dinov2 backbone has `mask_token` (iBOT masking),
    /// the released ones LayerScale, the `_reg` ones `register_tokens`.
    /// </summary>
    private static bool IsDinov2(VisualKeys v) =>
        v.Has("mask_token") || v.Has("register_tokens") || v.Shapes.Keys.Any(k => LayerScaleRegex().IsMatch(k));

    private static Dinov2VitSpec Dinov2(VisualKeys v, Dictionary<string, string> settings)
    {
        var (depth, chunkSize) = Dinov2Blocks(v);
        string first = chunkSize > 0 ? "blocks.0.0." : "blocks.0.";
        if (v.Has(first + "mlp.w12.weight"))
            throw new EncoderLoadException("DINOv2 checkpoint with a SwiGLU feed-forward (blocks.N.mlp.w12/w3, the ViT-g models) is not supported natively; export it as TorchScript");
        if (!v.Has(first + "ls1.gamma"))
            throw new EncoderLoadException($"DINOv2 checkpoint without LayerScale ('{v.Prefix}{first}ls1.gamma' missing); the hub backbones all have it");
        var conv = v.Shape("patch_embed.proj.weight");
        int dim = (int)conv[0], patch = (int)conv[2];
        int grid = GridOf((int)v.Shape("pos_embed")[1] - 1, "pos_embed");
        int hidden = (int)v.Shape(first + "mlp.fc1.weight")[0];
        int registers = v.Has("register_tokens") ? (int)v.Shape("register_tokens")[1] : 0;
        return Dinov2VitSpec.Hub(dim, depth, Heads(dim, settings, clip: false), patch, grid, hidden, registers, chunkSize);
    }

    /// <summary>
    /// Depth and block layout. The training code (block_chunks &gt; 0) nests blocks as blocks.&lt;chunk&gt;.&lt;i&gt; with
    /// i the global index and chunk = i / chunk size; the released backbones use blocks.&lt;i&gt;.
    /// </summary>
    private static (int Depth, int ChunkSize) Dinov2Blocks(VisualKeys v)
    {
        var chunked = v.Shapes.Keys.Select(k => ChunkedBlockRegex().Match(k)).Where(m => m.Success)
            .Select(m => (Chunk: int.Parse(m.Groups[1].Value), Block: int.Parse(m.Groups[2].Value))).Distinct().ToList();
        if (chunked.Count == 0)
        {
            int depth = Indices(v, DinoBlockRegex()).DefaultIfEmpty(-1).Max() + 1;
            if (depth == 0) throw new EncoderLoadException("no 'blocks.N' keys found");
            return (depth, 0);
        }
        int size = chunked.Where(b => b.Chunk == 0).Select(b => b.Block).DefaultIfEmpty(-1).Max() + 1;
        var misplaced = size == 0 ? chunked : chunked.Where(b => b.Chunk != b.Block / size).ToList();
        if (misplaced.Count > 0)
            throw new EncoderLoadException($"chunked DINOv2 blocks are not in the training code's layout (chunk = block / {size}): blocks.{misplaced[0].Chunk}.{misplaced[0].Block}");
        return (chunked.Max(b => b.Block) + 1, size);
    }

    /// <summary>
    /// Heads cannot be read from weights. Released ViTs use 64-dim heads (S/B/L: 6/12/16 heads); OpenCLIP's
    /// H/g/bigG use 16 heads of 80/88/104. Widths below 384 are test-size models, which use 32-dim heads.
    /// </summary>
    internal static int Heads(int width, Dictionary<string, string> settings, bool clip)
    {
        if (settings.TryGetValue("heads", out var h))
            return int.TryParse(h, out var n) && n > 0 && width % n == 0 ? n
                : throw new EncoderLoadException($"heads={h} does not divide width {width}");
        if (clip && width is 1280 or 1408 or 1664) return 16;
        if (width >= 384 && width % 64 == 0) return width / 64;
        if (width % 32 == 0) return Math.Max(1, width / 32);
        throw new EncoderLoadException($"cannot infer the number of attention heads for width {width}; give it as --arch family:heads=N");
    }

    private static int GridOf(int patches, string key)
    {
        int g = (int)Math.Round(Math.Sqrt(patches));
        if (g * g != patches) throw new EncoderLoadException($"'{key}' holds {patches} patch positions, not a square grid");
        return g;
    }

    private static List<int> Indices(VisualKeys v, Regex re) =>
        v.Shapes.Keys.Select(k => re.Match(k)).Where(m => m.Success).Select(m => int.Parse(m.Groups[1].Value)).Distinct().ToList();

    [GeneratedRegex(@"^trunk\.stages\.(\d+)\.blocks\.")] private static partial Regex StageRegex();
    [GeneratedRegex(@"^transformer\.resblocks\.(\d+)\.")] private static partial Regex ResblockRegex();
    [GeneratedRegex(@"^blocks\.(\d+)\.")] private static partial Regex DinoBlockRegex();
    [GeneratedRegex(@"^blocks\.(\d+\.)?\d+\.ls1\.gamma$")] private static partial Regex LayerScaleRegex();
    [GeneratedRegex(@"^blocks\.(\d+)\.(\d+)\.")] private static partial Regex ChunkedBlockRegex();
}
