using static TorchSharp.torch;

namespace Portal.Engine.Training;

/// <summary>
/// A fixed, ordered set of training images. <see cref="Load"/> returns item <c>index</c> as 3×H×W float32 in [0,1] on
/// the CPU, already through the encoder's resize/crop recipe, so every item has the same size.
/// </summary>
public interface ITrainingImages
{
    int Count { get; }
    /// <summary>A stable description of the set (e.g. a hash of the file list), stored with resumable state.</summary>
    string Fingerprint { get; }
    Tensor Load(int index);
}
