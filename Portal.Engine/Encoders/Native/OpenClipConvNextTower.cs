using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// OpenCLIP's TimmModel around timm's ConvNeXt (convnext_base_w): keys `trunk.stem.*`, `trunk.stages.i.*`,
/// `trunk.head.norm.*`, then `head.proj` (or `head.mlp.*`). timm's head with timm_pool='' keeps its own
/// average pool and applies `head.norm` after pooling; `head.fc` is an Identity (no keys).
/// </summary>
public sealed class OpenClipConvNextTower : NativeTower
{
    private const double Eps = 1e-6; // every timm ConvNeXt norm
    private readonly ConvNextSpec _spec;
    private readonly Conv2dLayer _stemConv;
    private readonly LayerNormLayer _stemNorm;
    private readonly List<(LayerNormLayer Norm, Conv2dLayer Conv)?> _downsample = [];
    private readonly List<List<ConvNextBlock>> _blocks = [];
    private readonly LayerNormLayer _headNorm;
    private readonly LinearLayer? _proj, _mlpFc1, _mlpFc2;

    public OpenClipConvNextTower(ConvNextSpec spec, TensorPlace place) : base(nameof(OpenClipConvNextTower))
    {
        _spec = spec;
        var dims = spec.Dims;
        var trunk = new Container("trunk");
        var stem = trunk.Add("stem", new Container("stem"));
        _stemConv = stem.Add("0", new Conv2dLayer(3, dims[0], 4, place, stride: 4));
        _stemNorm = stem.Add("1", new LayerNormLayer(dims[0], Eps, place));
        var stages = trunk.Add("stages", new Container("stages"));
        for (int i = 0; i < dims.Length; i++)
        {
            var stage = stages.Add(i.ToString(), new Container("stage"));
            if (i == 0) _downsample.Add(null); // the stem already downsampled by 4: Identity, no keys
            else
            {
                var ds = stage.Add("downsample", new Container("downsample"));
                _downsample.Add((ds.Add("0", new LayerNormLayer(dims[i - 1], Eps, place)),
                                 ds.Add("1", new Conv2dLayer(dims[i - 1], dims[i], 2, place, stride: 2))));
            }
            var blocks = stage.Add("blocks", new Container("blocks"));
            var list = new List<ConvNextBlock>();
            for (int j = 0; j < spec.Depths[i]; j++) list.Add(blocks.Add(j.ToString(), new ConvNextBlock(dims[i], place)));
            _blocks.Add(list);
        }
        var trunkHead = trunk.Add("head", new Container("head"));
        _headNorm = trunkHead.Add("norm", new LayerNormLayer(dims[^1], Eps, place));
        register_module("trunk", trunk);

        var head = new Container("head");
        if (spec.Head == ConvNextHead.Linear)
            _proj = head.Add("proj", new LinearLayer(dims[^1], spec.EmbedDim, place, hasBias: false));
        else
        {
            // open_clip timm_proj='mlp': timm Mlp(C, hidden, embed) with GELU; fc2 bias follows proj_bias.
            var mlp = head.Add("mlp", new Container("mlp"));
            _mlpFc1 = mlp.Add("fc1", new LinearLayer(dims[^1], spec.HeadHidden, place));
            _mlpFc2 = mlp.Add("fc2", new LinearLayer(spec.HeadHidden, spec.EmbedDim, place, hasBias: spec.HeadOutBias));
        }
        register_module("head", head);
    }

    public override ArchitectureSpec Spec => _spec;

    public override void CheckInputSize(long height, long width)
    {
        if (height % 32 != 0 || width % 32 != 0)
            throw new ArgumentException($"ConvNeXt needs an input size divisible by 32, got {height}×{width}");
    }

    public override Tensor Embed(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        x = _stemNorm.Forward2d(_stemConv.Forward(x));
        for (int i = 0; i < _blocks.Count; i++)
        {
            if (_downsample[i] is { } ds) x = ds.Conv.Forward(ds.Norm.Forward2d(x));
            foreach (var b in _blocks[i]) x = b.Forward(x);
        }
        // Pool first, then the head LayerNorm (timm NormMlpClassifierHead order).
        var pooled = _headNorm.Forward(x.mean([2, 3]));
        var y = _proj is not null ? _proj.Forward(pooled) : _mlpFc2!.Forward(nn.functional.gelu(_mlpFc1!.Forward(pooled)));
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Output of the stem and of each stage, for parity debugging against debug.safetensors.</summary>
    internal Dictionary<string, Tensor> Trace(Tensor x)
    {
        var r = new Dictionary<string, Tensor>();
        x = _stemNorm.Forward2d(_stemConv.Forward(x));
        r["trunk.stem"] = x;
        for (int i = 0; i < _blocks.Count; i++)
        {
            if (_downsample[i] is { } ds) x = ds.Conv.Forward(ds.Norm.Forward2d(x));
            foreach (var b in _blocks[i]) x = b.Forward(x);
            r[$"trunk.stages.{i}"] = x;
        }
        r["trunk.head"] = _headNorm.Forward(x.mean([2, 3]));
        return r;
    }
}

/// <summary>timm ConvNeXtBlock (conv_mlp=False): dw 7×7 → LayerNorm(C) → fc1 → GELU → fc2 → ×gamma → residual.</summary>
public sealed class ConvNextBlock : nn.Module
{
    private readonly Conv2dLayer _dw;
    private readonly LayerNormLayer _norm;
    private readonly LinearLayer _fc1, _fc2;
    private readonly Parameter _gamma;

    public ConvNextBlock(int dim, TensorPlace place) : base(nameof(ConvNextBlock))
    {
        _dw = new Conv2dLayer(dim, dim, 7, place, padding: 3, groups: dim);
        _norm = new LayerNormLayer(dim, 1e-6, place);
        var mlp = new Container("mlp");
        _fc1 = mlp.Add("fc1", new LinearLayer(dim, 4L * dim, place));
        _fc2 = mlp.Add("fc2", new LinearLayer(4L * dim, dim, place));
        _gamma = place.Param(dim);
        register_parameter("gamma", _gamma);
        register_module("conv_dw", _dw);
        register_module("norm", _norm);
        register_module("mlp", mlp);
    }

    public Tensor Forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        // Channels-last between the depthwise conv and the MLP, as timm does; gamma scales the last dim.
        var y = _dw.Forward(x).permute(0, 2, 3, 1);
        y = _fc2.Forward(nn.functional.gelu(_fc1.Forward(_norm.Forward(y))));
        y = y.mul(_gamma).permute(0, 3, 1, 2);
        return x.add(y).MoveToOuterDisposeScope();
    }
}
