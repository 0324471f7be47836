using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

// Minimal parameter holders for the native towers. Unlike TorchSharp's nn.Linear & co they allocate their
// parameters uninitialised (torch.empty): the checkpoint overwrites every value anyway, full-size towers build
// in milliseconds, and they can be built on the `meta` device to check names and shapes without memory.
// Parameter names are the canonical PyTorch ones (weight, bias), registered explicitly.

/// <summary>Where and how a tower's parameters are allocated.</summary>
public sealed record TensorPlace(Device Device, ScalarType DType)
{
    public static TensorPlace Cpu { get; } = new(CPU, ScalarType.Float32);

    public Parameter Param(params long[] shape) =>
        new(torch.empty(shape, DType, Device), requires_grad: false);
}

/// <summary>A named container: a module without a forward of its own (e.g. `stem`, `transformer`, `stages.0`).</summary>
public sealed class Container : nn.Module
{
    public Container(string name) : base(name) { }
    public T Add<T>(string name, T module) where T : nn.Module { register_module(name, module); return module; }
}

public sealed class LinearLayer : nn.Module
{
    public Parameter weight;
    public Parameter? bias;

    public LinearLayer(long inFeatures, long outFeatures, TensorPlace place, bool hasBias = true) : base(nameof(LinearLayer))
    {
        weight = place.Param(outFeatures, inFeatures);
        register_parameter("weight", weight);
        if (hasBias) { bias = place.Param(outFeatures); register_parameter("bias", bias); }
    }

    public Tensor Forward(Tensor x) => nn.functional.linear(x, weight, bias);
}

public sealed class LayerNormLayer : nn.Module
{
    public Parameter weight;
    public Parameter bias;
    public readonly double Eps;
    private readonly long[] _shape;

    public LayerNormLayer(long dim, double eps, TensorPlace place) : base(nameof(LayerNormLayer))
    {
        Eps = eps;
        _shape = [dim];
        weight = place.Param(dim);
        bias = place.Param(dim);
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    /// <summary>Normalises over the last dimension.</summary>
    public Tensor Forward(Tensor x) => nn.functional.layer_norm(x, _shape, weight, bias, Eps);

    /// <summary>timm's LayerNorm2d: normalises NCHW over C (permute to NHWC and back).</summary>
    public Tensor Forward2d(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return Forward(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2).MoveToOuterDisposeScope();
    }
}

public sealed class Conv2dLayer : nn.Module
{
    public Parameter weight;
    public Parameter? bias;
    private readonly long _stride, _padding, _groups;

    public Conv2dLayer(long inChannels, long outChannels, long kernel, TensorPlace place, long stride = 1, long padding = 0, long groups = 1, bool hasBias = true)
        : base(nameof(Conv2dLayer))
    {
        _stride = stride; _padding = padding; _groups = groups;
        weight = place.Param(outChannels, inChannels / groups, kernel, kernel);
        register_parameter("weight", weight);
        if (hasBias) { bias = place.Param(outChannels); register_parameter("bias", bias); }
    }

    public Tensor Forward(Tensor x) =>
        nn.functional.conv2d(x, weight, bias, strides: [_stride, _stride], padding: [_padding, _padding], groups: _groups);
}
