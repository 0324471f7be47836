using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// dinov2 NestedTensorBlock at inference: x + ls1(attn(norm1(x))); x + ls2(mlp(norm2(x))). LayerScale multiplies
/// each branch by its per-channel gamma; qkv Linear with bias reshaped (B, N, 3, heads, hd); exact GELU; eps 1e-6.
/// </summary>
public sealed class Dinov2Block : nn.Module
{
    private const double Eps = 1e-6;
    private readonly LayerNormLayer _norm1, _norm2;
    private readonly LinearLayer _qkv, _proj, _fc1, _fc2;
    private readonly LayerScaleLayer _ls1, _ls2;
    private readonly int _heads;

    public Dinov2Block(int dim, int heads, int mlpHidden, TensorPlace place) : base(nameof(Dinov2Block))
    {
        if (dim % heads != 0) throw new ArgumentException($"dim {dim} is not divisible by {heads} heads");
        _heads = heads;
        _norm1 = new LayerNormLayer(dim, Eps, place);
        _norm2 = new LayerNormLayer(dim, Eps, place);
        var attn = new Container("attn");
        _qkv = attn.Add("qkv", new LinearLayer(dim, 3L * dim, place));
        _proj = attn.Add("proj", new LinearLayer(dim, dim, place));
        var mlp = new Container("mlp");
        _fc1 = mlp.Add("fc1", new LinearLayer(dim, mlpHidden, place));
        _fc2 = mlp.Add("fc2", new LinearLayer(mlpHidden, dim, place));
        _ls1 = new LayerScaleLayer(dim, place);
        _ls2 = new LayerScaleLayer(dim, place);
        register_module("norm1", _norm1);
        register_module("attn", attn);
        register_module("ls1", _ls1);
        register_module("norm2", _norm2);
        register_module("mlp", mlp);
        register_module("ls2", _ls2);
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        x = x + _ls1.Forward(Attn(x));
        x = x + _ls2.Forward(Mlp(x));
        return x.MoveToOuterDisposeScope();
    }

    private Tensor Attn(Tensor x) => _proj.Forward(Attention.Sdpa(_qkv.Forward(_norm1.Forward(x)), _heads));

    private Tensor Mlp(Tensor x) => _fc2.Forward(nn.functional.gelu(_fc1.Forward(_norm2.Forward(x))));

    /// <summary>The four residual branches and the output, named like dinov2's modules (parity debugging).</summary>
    internal Dictionary<string, Tensor> Trace(Tensor x, string prefix)
    {
        var r = new Dictionary<string, Tensor>();
        r[$"{prefix}.attn"] = Attn(x);
        r[$"{prefix}.ls1"] = _ls1.Forward(r[$"{prefix}.attn"]);
        x = x + r[$"{prefix}.ls1"];
        r[$"{prefix}.mlp"] = Mlp(x);
        r[$"{prefix}.ls2"] = _ls2.Forward(r[$"{prefix}.mlp"]);
        r[prefix] = x + r[$"{prefix}.ls2"];
        return r;
    }
}
