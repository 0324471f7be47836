namespace Portal.Engine.Encoders.Native;

/// <summary>The families the engine implements natively; the names are what `--arch` accepts.</summary>
public static class ArchitectureFamily
{
    public const string OpenClipConvNext = "openclip-convnext";
    public const string OpenClipVit = "openclip-vit";
    public const string DinoVit = "dino-vit";
    public const string Dinov2Vit = "dinov2-vit";
    public static readonly string[] All = [OpenClipConvNext, OpenClipVit, DinoVit, Dinov2Vit];
}

/// <summary>Everything needed to build a native tower; detected from a checkpoint's keys and shapes.</summary>
public abstract record ArchitectureSpec
{
    public abstract string Family { get; }
    /// <summary>Human-readable size, e.g. "ViT-B/16" or "ConvNeXt dims 128/256/512/1024".</summary>
    public abstract string SizeName { get; }
    public abstract int EmbeddingDim { get; }
    /// <summary>The resolution the model was trained at (positional embedding grid × patch, or the config's size).</summary>
    public abstract int NativeImageSize { get; }
    public abstract IReadOnlyDictionary<string, string> Details();
}

/// <summary>OpenCLIP's timm-ConvNeXt visual tower (convnext_base_w family).</summary>
public sealed record ConvNextSpec(int[] Dims, int[] Depths, int EmbedDim, ConvNextHead Head, int HeadHidden = 0, bool HeadOutBias = false) : ArchitectureSpec
{
    public override string Family => ArchitectureFamily.OpenClipConvNext;
    public override string SizeName => $"ConvNeXt dims {string.Join('/', Dims)} depths {string.Join('/', Depths)}";
    public override int EmbeddingDim => EmbedDim;
    /// <summary>convnext_base_w's config says 256; the trunk is fully convolutional (any multiple of 32).</summary>
    public override int NativeImageSize => 256;
    public override IReadOnlyDictionary<string, string> Details() => new Dictionary<string, string>
    {
        ["dims"] = string.Join(',', Dims),
        ["depths"] = string.Join(',', Depths),
        ["head"] = Head == ConvNextHead.Linear ? "avgpool, LayerNorm, linear proj (no bias)" : $"avgpool, LayerNorm, MLP proj (hidden {HeadHidden})",
        ["layer_norm_eps"] = "1e-6",
        ["activation"] = "gelu (erf)",
    };
}

public enum ConvNextHead { Linear, Mlp }

/// <summary>OpenCLIP's VisionTransformer visual tower.</summary>
public sealed record ClipVitSpec(int Width, int Layers, int Heads, int PatchSize, int Grid, int EmbedDim, int MlpHidden, bool QuickGelu, bool LayerScale) : ArchitectureSpec
{
    public override string Family => ArchitectureFamily.OpenClipVit;
    public override string SizeName => (Width, Layers) switch
    {
        (768, 12) => $"ViT-B/{PatchSize}",
        (1024, 24) => $"ViT-L/{PatchSize}",
        (1280, 32) => $"ViT-H/{PatchSize}",
        _ => $"ViT width {Width} layers {Layers}",
    } + (Grid * PatchSize != 224 ? $"@{Grid * PatchSize}" : "");
    public override int EmbeddingDim => EmbedDim;
    public override int NativeImageSize => Grid * PatchSize;
    public override IReadOnlyDictionary<string, string> Details() => new Dictionary<string, string>
    {
        ["size"] = SizeName,
        ["width"] = Width.ToString(),
        ["layers"] = Layers.ToString(),
        ["heads"] = Heads.ToString(),
        ["patch_size"] = PatchSize.ToString(),
        ["image_size"] = NativeImageSize.ToString(),
        ["mlp_hidden"] = MlpHidden.ToString(),
        ["layer_norm_eps"] = "1e-5",
        ["activation"] = QuickGelu ? "quick_gelu" : "gelu (erf)",
        ["layer_scale"] = LayerScale ? "yes" : "no",
    };
}

/// <summary>facebookresearch/dino VisionTransformer (embedding = CLS token after the final norm).</summary>
public sealed record DinoVitSpec(int Dim, int Depth, int Heads, int PatchSize, int Grid, int MlpHidden) : ArchitectureSpec
{
    public override string Family => ArchitectureFamily.DinoVit;
    public override string SizeName => (Dim, Depth) switch
    {
        (384, 12) => $"ViT-S/{PatchSize}",
        (768, 12) => $"ViT-B/{PatchSize}",
        _ => $"ViT dim {Dim} depth {Depth}",
    };
    public override int EmbeddingDim => Dim;
    public override int NativeImageSize => Grid * PatchSize;
    public override IReadOnlyDictionary<string, string> Details() => new Dictionary<string, string>
    {
        ["size"] = SizeName,
        ["embed_dim"] = Dim.ToString(),
        ["depth"] = Depth.ToString(),
        ["heads"] = Heads.ToString(),
        ["patch_size"] = PatchSize.ToString(),
        ["image_size"] = NativeImageSize.ToString(),
        ["mlp_hidden"] = MlpHidden.ToString(),
        ["layer_norm_eps"] = "1e-6",
        ["activation"] = "gelu (erf)",
        ["position_embedding"] = "bicubic interpolation for other sizes (DINO's scale_factor=(n+0.1)/grid)",
    };

    /// <summary>Full-size DINO ViT-B/16 (dino_vitb16).</summary>
    public static DinoVitSpec VitB16 => new(768, 12, 12, 16, 14, 3072);
}

/// <summary>
/// facebookresearch/dinov2 DinoVisionTransformer (embedding = CLS token after the final norm), with LayerScale and
/// optionally register tokens. The checkpoint does not record how the position table is resampled; the hub pairs
/// it with the variant: dinov2_vitb14 uses scale_factor (n + 0.1)/grid without antialiasing, the `_reg` models
/// resize by output size with antialiasing (offset 0). <paramref name="BlockChunkSize"/> &gt; 0 is the training
/// code's FSDP layout, `blocks.&lt;chunk&gt;.&lt;i&gt;.*` with i the global block index; released backbones have 0.
/// </summary>
public sealed record Dinov2VitSpec(int Dim, int Depth, int Heads, int PatchSize, int Grid, int MlpHidden, int Registers, bool InterpolateAntialias, double InterpolateOffset, int BlockChunkSize = 0) : ArchitectureSpec
{
    public override string Family => ArchitectureFamily.Dinov2Vit;
    public override string SizeName => (Dim, Depth) switch
    {
        (384, 12) => $"ViT-S/{PatchSize}",
        (768, 12) => $"ViT-B/{PatchSize}",
        (1024, 24) => $"ViT-L/{PatchSize}",
        _ => $"ViT dim {Dim} depth {Depth}",
    } + (Registers > 0 ? $" reg{Registers}" : "");
    public override int EmbeddingDim => Dim;
    /// <summary>The position table's size (518 for the released models); the eval recipe still runs them at 224.</summary>
    public override int NativeImageSize => Grid * PatchSize;
    public override IReadOnlyDictionary<string, string> Details() => new Dictionary<string, string>
    {
        ["size"] = SizeName,
        ["embed_dim"] = Dim.ToString(),
        ["depth"] = Depth.ToString(),
        ["heads"] = Heads.ToString(),
        ["patch_size"] = PatchSize.ToString(),
        ["image_size"] = NativeImageSize.ToString(),
        ["mlp_hidden"] = MlpHidden.ToString(),
        ["register_tokens"] = Registers.ToString(),
        ["block_layout"] = BlockChunkSize > 0 ? $"chunked, {BlockChunkSize} blocks per chunk (blocks.<chunk>.<i>)" : "blocks.<i>",
        ["layer_scale"] = "yes",
        ["layer_norm_eps"] = "1e-6",
        ["activation"] = "gelu (erf)",
        ["position_embedding"] = InterpolateAntialias
            ? "antialiased bicubic resize to the patch grid (dinov2 _reg: size=(h,w), antialias=True)"
            : $"bicubic interpolation with scale_factor=(n+{InterpolateOffset:R})/grid (dinov2: antialias=False)",
    };

    /// <summary>Settings dinov2's hub uses for each variant: with registers antialias and offset 0, without offset 0.1.</summary>
    public static Dinov2VitSpec Hub(int dim, int depth, int heads, int patch, int grid, int mlpHidden, int registers, int blockChunkSize = 0) =>
        new(dim, depth, heads, patch, grid, mlpHidden, registers, InterpolateAntialias: registers > 0, InterpolateOffset: registers > 0 ? 0.0 : 0.1, blockChunkSize);

    /// <summary>Full-size dinov2_vitb14 (img_size 518: 37×37 position grid).</summary>
    public static Dinov2VitSpec VitB14 => Hub(768, 12, 12, 14, 37, 3072, 0);

    /// <summary>Full-size dinov2_vitb14_reg (4 register tokens).</summary>
    public static Dinov2VitSpec VitB14Reg4 => Hub(768, 12, 12, 14, 37, 3072, 4);
}

/// <summary>Named full-size configurations (benchmarks, manifests).</summary>
public static class KnownSpecs
{
    public static ConvNextSpec ConvNextBaseW => new([128, 256, 512, 1024], [3, 3, 27, 3], 640, ConvNextHead.Linear);
    public static ClipVitSpec VitB32 => new(768, 12, 12, 32, 7, 512, 3072, false, false);
    public static ClipVitSpec VitB16 => new(768, 12, 12, 16, 14, 512, 3072, false, false);
    public static ClipVitSpec VitL14 => new(1024, 24, 16, 14, 16, 768, 4096, false, false);
    public static DinoVitSpec DinoVitB16 => DinoVitSpec.VitB16;
    public static Dinov2VitSpec Dinov2VitB14 => Dinov2VitSpec.VitB14;
    public static Dinov2VitSpec Dinov2VitB14Reg4 => Dinov2VitSpec.VitB14Reg4;
}
