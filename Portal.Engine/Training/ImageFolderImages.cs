using System.Text;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Training;

/// <summary>
/// Training images from a folder: ImageNet-style (one subfolder per class) or flat, or any mix — every image file
/// below the root counts, labels are not used (FARE is unsupervised). Files are taken in ordinal path order so the
/// set, and hence the training run, is the same on every machine. Each image goes through the encoder's recipe.
/// </summary>
public sealed class ImageFolderImages : ITrainingImages
{
    private readonly string _root;
    private readonly Preprocessing _recipe;

    public ImageFolderImages(string root, Preprocessing recipe)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"training image folder not found: {root}");
        _root = Path.GetFullPath(root);
        _recipe = recipe;
        Files = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)
            .Where(ImageIO.IsImageFile)
            .Select(f => Path.GetRelativePath(_root, f).Replace('\\', '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToList();
        if (Files.Count < 2)
            throw new ArgumentException($"{root} holds {Files.Count} image file(s) ({string.Join(", ", ImageIO.Extensions)}); FARE needs at least 2");
        Fingerprint = FileHash.Sha256(Encoding.UTF8.GetBytes(string.Join('\n', Files)));
    }

    /// <summary>Paths relative to the root, in training order before shuffling.</summary>
    public IReadOnlyList<string> Files { get; }
    public int Count => Files.Count;
    public string Fingerprint { get; }

    public Tensor Load(int index)
    {
        var path = Path.Combine(_root, Files[index]);
        using var scope = torch.NewDisposeScope();
        // ImageDecodeException names the file; the run stops rather than silently training on fewer images.
        var img = ImageIO.Load(path).unsqueeze(0);
        var x = Resize.Apply(img, _recipe);
        if (x.shape[2] != _recipe.ImageHeight || x.shape[3] != _recipe.ImageWidth)
            throw new ImageDecodeException($"{path}: recipe gave {x.shape[2]}×{x.shape[3]}, expected {_recipe.ImageHeight}×{_recipe.ImageWidth}");
        return x.squeeze(0).contiguous().MoveToOuterDisposeScope();
    }
}
