using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// A native visual tower whose parameter names are the canonical state_dict keys of its family (without the
/// OpenCLIP `visual.` prefix), so a checkpoint binds key for key. Input: normalised N×3×H×W; output N×D.
/// </summary>
public abstract class NativeTower : nn.Module
{
    protected NativeTower(string name) : base(name) { }

    public abstract ArchitectureSpec Spec { get; }

    /// <summary>Embeds already-normalised pixels.</summary>
    public abstract Tensor Embed(Tensor normalized);

    /// <summary>Throws a clear message when the tower cannot take this input size (e.g. OpenCLIP ViT off its native size).</summary>
    public abstract void CheckInputSize(long height, long width);

    public static NativeTower Build(ArchitectureSpec spec, TensorPlace place) => spec switch
    {
        ConvNextSpec c => new OpenClipConvNextTower(c, place),
        ClipVitSpec v => new OpenClipVitTower(v, place),
        DinoVitSpec d => new DinoVitTower(d, place),
        Dinov2VitSpec d2 => new Dinov2VitTower(d2, place),
        _ => throw new ArgumentException($"no native tower for {spec.GetType().Name}"),
    };
}
