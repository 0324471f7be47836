using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// facebookresearch/dino VisionTransformer: patch_embed.proj (with bias) → [cls_token; patches] + pos_embed
/// (interpolated for other sizes) → pre-norm blocks (qkv Linear) → norm → CLS. No pre-norm; LayerNorm eps 1e-6.
/// </summary>
public sealed class DinoVitTower : NativeTower
{
    private const double Eps = 1e-6;
    private readonly DinoVitSpec _spec;
    private readonly Parameter _clsToken, _posEmbed;
    private readonly Conv2dLayer _patch;
    private readonly List<DinoBlock> _blocks = [];
    private readonly LayerNormLayer _norm;

    public DinoVitTower(DinoVitSpec spec, TensorPlace place) : base(nameof(DinoVitTower))
    {
        _spec = spec;
        _clsToken = place.Param(1, 1, spec.Dim);
        _posEmbed = place.Param(1, (long)spec.Grid * spec.Grid + 1, spec.Dim);
        var patchEmbed = new Container("patch_embed");
        _patch = patchEmbed.Add("proj", new Conv2dLayer(3, spec.Dim, spec.PatchSize, place, stride: spec.PatchSize));
        var blocks = new Container("blocks");
        for (int i = 0; i < spec.Depth; i++) _blocks.Add(blocks.Add(i.ToString(), new DinoBlock(spec.Dim, spec.Heads, spec.MlpHidden, place)));
        _norm = new LayerNormLayer(spec.Dim, Eps, place);
        register_parameter("cls_token", _clsToken);
        register_parameter("pos_embed", _posEmbed);
        register_module("patch_embed", patchEmbed);
        register_module("blocks", blocks);
        register_module("norm", _norm);
    }

    public override ArchitectureSpec Spec => _spec;

    public override void CheckInputSize(long height, long width)
    {
        if (height < _spec.PatchSize || width < _spec.PatchSize)
            throw new ArgumentException($"DINO {_spec.SizeName} needs inputs of at least {_spec.PatchSize}×{_spec.PatchSize}, got {height}×{width}");
    }

    public override Tensor Embed(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var t = Tokens(x);
        foreach (var b in _blocks) t = b.Forward(t);
        return _norm.Forward(t)[.., 0].MoveToOuterDisposeScope();
    }

    private Tensor Tokens(Tensor x)
    {
        CheckInputSize(x.shape[2], x.shape[3]);
        var p = _patch.Forward(x).flatten(2).transpose(1, 2);
        var t = torch.cat([_clsToken.expand(p.shape[0], -1, -1), p], 1);
        return t + PositionEmbedding(x.shape[2], x.shape[3]);
    }

    /// <summary>
    /// DINO's interpolate_pos_encoding: unchanged when the patch count matches and the input is square; otherwise
    /// the grid is resized bicubically with scale factors ((H/p + 0.1)/g, (W/p + 0.1)/g) — the kernel maps
    /// coordinates with these factors, not with the output size, and the +0.1 keeps floor() from losing a row.
    /// </summary>
    public Tensor PositionEmbedding(long height, long width)
    {
        long h0 = height / _spec.PatchSize, w0 = width / _spec.PatchSize;
        long n = (long)_spec.Grid * _spec.Grid;
        if (h0 * w0 == n && height == width) return _posEmbed.alias();
        using var scope = torch.NewDisposeScope();
        long g = _spec.Grid, dim = _spec.Dim;
        var cls = _posEmbed[.., ..1];
        var grid = _posEmbed[.., 1..].reshape(1, g, g, dim).permute(0, 3, 1, 2);
        double sh = (h0 + 0.1) / g, sw = (w0 + 0.1) / g;
        var resized = nn.functional.interpolate(grid, scale_factor: [sh, sw], mode: InterpolationMode.Bicubic, align_corners: false);
        if (resized.shape[2] != h0 || resized.shape[3] != w0)
            throw new InvalidOperationException($"position interpolation gave {resized.shape[2]}×{resized.shape[3]}, expected {h0}×{w0}");
        var patches = resized.permute(0, 2, 3, 1).reshape(1, -1, dim);
        return torch.cat([cls, patches], 1).MoveToOuterDisposeScope();
    }

    internal Dictionary<string, Tensor> Trace(Tensor x)
    {
        var r = new Dictionary<string, Tensor> { ["patch_embed"] = _patch.Forward(x).flatten(2).transpose(1, 2) };
        var t = Tokens(x);
        for (int i = 0; i < _blocks.Count; i++) r[$"blocks.{i}"] = t = _blocks[i].Forward(t);
        r["norm"] = _norm.Forward(t);
        return r;
    }
}

/// <summary>DINO Block: x + attn(norm1(x)); x + mlp(norm2(x)) with qkv Linear (bias), exact GELU.</summary>
public sealed class DinoBlock : nn.Module
{
    private readonly LayerNormLayer _norm1, _norm2;
    private readonly LinearLayer _qkv, _proj, _fc1, _fc2;
    private readonly int _heads;

    public DinoBlock(int dim, int heads, int mlpHidden, TensorPlace place) : base(nameof(DinoBlock))
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by {heads} heads");
        _heads = heads;
        _norm1 = new LayerNormLayer(dim, 1e-6, place);
        _norm2 = new LayerNormLayer(dim, 1e-6, place);
        var attn = new Container("attn");
        _qkv = attn.Add("qkv", new LinearLayer(dim, 3L * dim, place));
        _proj = attn.Add("proj", new LinearLayer(dim, dim, place));
        var mlp = new Container("mlp");
        _fc1 = mlp.Add("fc1", new LinearLayer(dim, mlpHidden, place));
        _fc2 = mlp.Add("fc2", new LinearLayer(mlpHidden, dim, place));
        register_module("norm1", _norm1);
        register_module("attn", attn);
        register_module("norm2", _norm2);
        register_module("mlp", mlp);
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        x = x + _proj.Forward(Attention.Sdpa(_qkv.Forward(_norm1.Forward(x)), _heads));
        x = x + _fc2.Forward(nn.functional.gelu(_fc1.Forward(_norm2.Forward(x))));
        return x.MoveToOuterDisposeScope();
    }
}
