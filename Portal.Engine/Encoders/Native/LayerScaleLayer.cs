using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>LayerScale (dinov2 layers/layer_scale.py, timm): the branch times a learned per-channel `gamma` [D].</summary>
public sealed class LayerScaleLayer : nn.Module
{
    public Parameter gamma;

    public LayerScaleLayer(long dim, TensorPlace place) : base(nameof(LayerScaleLayer))
    {
        gamma = place.Param(dim);
        register_parameter("gamma", gamma);
    }

    /// <summary>Scales the last dimension (channels-last tokens).</summary>
    public Tensor Forward(Tensor x) => x.mul(gamma);
}
