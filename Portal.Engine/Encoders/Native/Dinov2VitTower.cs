using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// facebookresearch/dinov2 DinoVisionTransformer, key for key with dinov2_vitb14(_reg)_pretrain.pth:
/// patch_embed.proj (14×14, with bias) → [cls_token; patches] + pos_embed (resampled for other grids, see
/// <see cref="Dinov2PositionEmbedding"/>) → register_tokens inserted after CLS, without position → LayerScale
/// blocks → norm → CLS. No pre-norm; LayerNorm eps 1e-6. `mask_token` is held so the checkpoint binds strictly
/// as the hub loads it, but only masked training reads it.
/// </summary>
public sealed class Dinov2VitTower : NativeTower
{
    private const double Eps = 1e-6;
    private readonly Dinov2VitSpec _spec;
    private readonly Parameter _clsToken, _posEmbed, _maskToken;
    private readonly Parameter? _registerTokens;
    private readonly Conv2dLayer _patch;
    private readonly List<Dinov2Block> _blocks = [];
    private readonly LayerNormLayer _norm;

    public Dinov2VitTower(Dinov2VitSpec spec, TensorPlace place) : base(nameof(Dinov2VitTower))
    {
        _spec = spec;
        _clsToken = place.Param(1, 1, spec.Dim);
        _posEmbed = place.Param(1, (long)spec.Grid * spec.Grid + 1, spec.Dim);
        if (spec.Registers > 0) _registerTokens = place.Param(1, spec.Registers, spec.Dim);
        _maskToken = place.Param(1, spec.Dim);
        var patchEmbed = new Container("patch_embed");
        _patch = patchEmbed.Add("proj", new Conv2dLayer(3, spec.Dim, spec.PatchSize, place, stride: spec.PatchSize));
        var blocks = new Container("blocks");
        var chunks = new Dictionary<int, Container>();
        for (int i = 0; i < spec.Depth; i++)
        {
            var block = new Dinov2Block(spec.Dim, spec.Heads, spec.MlpHidden, place);
            // Chunked (training) layout: chunk c holds blocks under their global index, so names are blocks.c.i.
            var parent = spec.BlockChunkSize <= 0 ? blocks
                : chunks.TryGetValue(i / spec.BlockChunkSize, out var c) ? c
                : chunks[i / spec.BlockChunkSize] = blocks.Add((i / spec.BlockChunkSize).ToString(), new Container("chunk"));
            _blocks.Add(parent.Add(i.ToString(), block));
        }
        _norm = new LayerNormLayer(spec.Dim, Eps, place);
        register_parameter("cls_token", _clsToken);
        register_parameter("pos_embed", _posEmbed);
        if (_registerTokens is not null) register_parameter("register_tokens", _registerTokens);
        register_parameter("mask_token", _maskToken);
        register_module("patch_embed", patchEmbed);
        register_module("blocks", blocks);
        register_module("norm", _norm);
    }

    public override ArchitectureSpec Spec => _spec;

    /// <summary>dinov2's PatchEmbed asserts that both sides are multiples of the patch (no silent crop).</summary>
    public override void CheckInputSize(long height, long width)
    {
        int p = _spec.PatchSize;
        if (height < p || width < p || height % p != 0 || width % p != 0)
            throw new ArgumentException($"DINOv2 {_spec.SizeName} needs inputs whose sides are multiples of {p} (e.g. 224 = 16×{p}), got {height}×{width}");
    }

    public override Tensor Embed(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var t = Tokens(x);
        foreach (var b in _blocks) t = b.Forward(t);
        return _norm.Forward(t)[.., 0].MoveToOuterDisposeScope();
    }

    /// <summary>prepare_tokens_with_masks without masks: CLS, registers, patches.</summary>
    private Tensor Tokens(Tensor x)
    {
        CheckInputSize(x.shape[2], x.shape[3]);
        using var scope = torch.NewDisposeScope();
        var p = _patch.Forward(x).flatten(2).transpose(1, 2);
        long batch = p.shape[0];
        var t = torch.cat([_clsToken.expand(batch, -1, -1), p], 1) + PositionEmbedding(x.shape[2], x.shape[3]);
        // Registers go in after the position embedding was added, so they carry none.
        if (_registerTokens is not null)
            t = torch.cat([t[.., ..1], _registerTokens.expand(batch, -1, -1), t[.., 1..]], 1);
        return t.MoveToOuterDisposeScope();
    }

    /// <summary>The position embedding (CLS first) for an input of height × width pixels.</summary>
    public Tensor PositionEmbedding(long height, long width)
    {
        long rows = height / _spec.PatchSize, cols = width / _spec.PatchSize;
        if (rows * cols == (long)_spec.Grid * _spec.Grid && height == width) return _posEmbed.alias();
        return Dinov2PositionEmbedding.Resample(_posEmbed, _spec.Grid, rows, cols, _spec.InterpolateAntialias, _spec.InterpolateOffset);
    }

    internal Dictionary<string, Tensor> Trace(Tensor x)
    {
        var r = new Dictionary<string, Tensor> { ["patch_embed"] = _patch.Forward(x).flatten(2).transpose(1, 2) };
        var t = r["prepare_tokens_with_masks"] = Tokens(x);
        for (int i = 0; i < _blocks.Count; i++)
        {
            var b = _blocks[i].Trace(t, $"blocks.{i}");
            foreach (var (k, v) in b) r[k] = v;
            t = b[$"blocks.{i}"];
        }
        r["norm"] = _norm.Forward(t);
        return r;
    }
}
