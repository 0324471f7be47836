using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// OpenCLIP's VisionTransformer: conv1 (no bias) → [class_embedding; patches] + positional_embedding → ln_pre →
/// pre-norm residual blocks (fused in_proj) → ln_post on all tokens → token 0 → @ proj. LayerNorm eps 1e-5.
/// </summary>
public sealed class OpenClipVitTower : NativeTower
{
    private const double Eps = 1e-5;
    private readonly ClipVitSpec _spec;
    private readonly Conv2dLayer _conv1;
    private readonly Parameter _classEmbedding, _positionalEmbedding, _proj;
    private readonly LayerNormLayer _lnPre, _lnPost;
    private readonly List<ClipResidualBlock> _blocks = [];

    public OpenClipVitTower(ClipVitSpec spec, TensorPlace place) : base(nameof(OpenClipVitTower))
    {
        _spec = spec;
        int w = spec.Width;
        _classEmbedding = place.Param(w);
        _positionalEmbedding = place.Param((long)spec.Grid * spec.Grid + 1, w);
        _proj = place.Param(w, spec.EmbedDim);
        _conv1 = new Conv2dLayer(3, w, spec.PatchSize, place, stride: spec.PatchSize, hasBias: false);
        _lnPre = new LayerNormLayer(w, Eps, place);
        _lnPost = new LayerNormLayer(w, Eps, place);
        var transformer = new Container("transformer");
        var resblocks = transformer.Add("resblocks", new Container("resblocks"));
        for (int i = 0; i < spec.Layers; i++)
            _blocks.Add(resblocks.Add(i.ToString(), new ClipResidualBlock(w, spec.Heads, spec.MlpHidden, spec.QuickGelu, spec.LayerScale, Eps, place)));
        register_parameter("class_embedding", _classEmbedding);
        register_parameter("positional_embedding", _positionalEmbedding);
        register_parameter("proj", _proj);
        register_module("conv1", _conv1);
        register_module("ln_pre", _lnPre);
        register_module("transformer", transformer);
        register_module("ln_post", _lnPost);
    }

    public override ArchitectureSpec Spec => _spec;

    public override void CheckInputSize(long height, long width)
    {
        long n = _spec.NativeImageSize;
        if (height != n || width != n)
            throw new ArgumentException($"OpenCLIP {_spec.SizeName} takes {n}×{n} inputs only (its positional embedding is not interpolated), got {height}×{width}");
    }

    public override Tensor Embed(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var tokens = Tokens(x);
        foreach (var b in _blocks) tokens = b.Forward(tokens);
        var pooled = _lnPost.Forward(tokens)[.., 0];
        return pooled.matmul(_proj).MoveToOuterDisposeScope();
    }

    private Tensor Tokens(Tensor x)
    {
        CheckInputSize(x.shape[2], x.shape[3]);
        var p = _conv1.Forward(x);                       // N, W, g, g
        p = p.flatten(2).transpose(1, 2);                 // N, g², W
        var cls = _classEmbedding.to(p.dtype).expand(p.shape[0], 1, -1);
        var t = torch.cat([cls, p], 1) + _positionalEmbedding;
        return _lnPre.Forward(t);
    }

    /// <summary>Intermediates named like open_clip's modules, for parity debugging.</summary>
    internal Dictionary<string, Tensor> Trace(Tensor x)
    {
        var r = new Dictionary<string, Tensor>();
        var t = Tokens(x);
        r["ln_pre"] = t;
        for (int i = 0; i < _blocks.Count; i++) r[$"transformer.resblocks.{i}"] = t = _blocks[i].Forward(t);
        r["ln_post"] = t = _lnPost.Forward(t);
        r["pooled_before_proj"] = t[.., 0];
        return r;
    }
}

/// <summary>open_clip ResidualAttentionBlock: x + attn(ln_1(x)) then x + mlp(ln_2(x)); optional layer scale ls_1/ls_2.</summary>
public sealed class ClipResidualBlock : nn.Module
{
    private readonly LayerNormLayer _ln1, _ln2;
    private readonly FusedSelfAttention _attn;
    private readonly LinearLayer _fc, _proj;
    private readonly Parameter? _ls1, _ls2;
    private readonly bool _quickGelu;

    public ClipResidualBlock(int width, int heads, int mlpHidden, bool quickGelu, bool layerScale, double eps, TensorPlace place) : base(nameof(ClipResidualBlock))
    {
        _quickGelu = quickGelu;
        _ln1 = new LayerNormLayer(width, eps, place);
        _attn = new FusedSelfAttention(width, heads, place);
        _ln2 = new LayerNormLayer(width, eps, place);
        var mlp = new Container("mlp");
        _fc = mlp.Add("c_fc", new LinearLayer(width, mlpHidden, place));
        _proj = mlp.Add("c_proj", new LinearLayer(mlpHidden, width, place));
        register_module("ln_1", _ln1);
        register_module("attn", _attn);
        if (layerScale)
        {
            var ls1 = new Container("ls_1"); _ls1 = place.Param(width); ls1.register_parameter("gamma", _ls1); register_module("ls_1", ls1);
        }
        register_module("ln_2", _ln2);
        register_module("mlp", mlp);
        if (layerScale)
        {
            var ls2 = new Container("ls_2"); _ls2 = place.Param(width); ls2.register_parameter("gamma", _ls2); register_module("ls_2", ls2);
        }
    }

    /// <param name="causal">Mask attention to earlier positions (the CLIP text tower); the visual towers attend everywhere.</param>
    public Tensor Forward(Tensor x, bool causal = false)
    {
        using var scope = torch.NewDisposeScope();
        var a = _attn.Forward(_ln1.Forward(x), causal);
        if (_ls1 is not null) a = a.mul(_ls1);
        x = x + a;
        var h = _fc.Forward(_ln2.Forward(x));
        // QuickGELU (x·σ(1.702x)) only for checkpoints trained with it (OpenAI, some LAION-400M tags).
        h = _quickGelu ? h.mul(torch.sigmoid(h.mul(1.702f))) : nn.functional.gelu(h);
        var m = _proj.Forward(h);
        if (_ls2 is not null) m = m.mul(_ls2);
        return (x + m).MoveToOuterDisposeScope();
    }
}

/// <summary>nn.MultiheadAttention's self-attention with its state_dict names: in_proj_weight/bias (q,k,v rows in that order), out_proj.</summary>
public sealed class FusedSelfAttention : nn.Module
{
    private readonly Parameter _inW, _inB;
    private readonly LinearLayer _out;
    private readonly int _heads;

    public FusedSelfAttention(int width, int heads, TensorPlace place) : base(nameof(FusedSelfAttention))
    {
        if (width % heads != 0) throw new ArgumentException($"width {width} is not divisible by {heads} heads");
        _heads = heads;
        _inW = place.Param(3L * width, width);
        _inB = place.Param(3L * width);
        _out = new LinearLayer(width, width, place);
        register_parameter("in_proj_weight", _inW);
        register_parameter("in_proj_bias", _inB);
        register_module("out_proj", _out);
    }

    public Tensor Forward(Tensor x, bool causal = false)
    {
        using var scope = torch.NewDisposeScope();
        var qkv = nn.functional.linear(x, _inW, _inB);
        return _out.Forward(Attention.Sdpa(qkv, _heads, causal)).MoveToOuterDisposeScope();
    }
}

/// <summary>Multi-head attention on a fused N×T×3W projection (q, k, v blocks), scale head_dim^-0.5; no mask, or
/// the causal one (−inf strictly above the diagonal, as open_clip's text attn_mask).</summary>
internal static class Attention
{
    public static Tensor Sdpa(Tensor qkv, int heads, bool causal = false)
    {
        using var scope = torch.NewDisposeScope();
        long n = qkv.shape[0], t = qkv.shape[1], w = qkv.shape[2] / 3;
        var parts = qkv.view(n, t, 3, heads, w / heads).permute(2, 0, 3, 1, 4); // 3, N, H, T, hd
        var o = nn.functional.scaled_dot_product_attention(parts[0], parts[1], parts[2], is_casual: causal);
        return o.transpose(1, 2).reshape(n, t, w).MoveToOuterDisposeScope();
    }
}
