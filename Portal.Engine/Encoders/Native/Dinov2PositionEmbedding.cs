using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>
/// dinov2's interpolate_pos_encoding. The table [1, 1 + g², D] is used as is only when the patch count is g² and
/// the input is square; otherwise the g×g patch part is resized to the input's n_h×n_w grid and the CLS position
/// is kept in front. Two variants, fixed by the hub per model and not recorded in the checkpoint:
/// offset > 0 (dinov2_vitb14): plain bicubic with scale_factor (n + offset)/g — the kernel maps coordinates
/// with that factor, not with the output size; offset 0 (the `_reg` models): size (n_h, n_w), antialiased
/// (PyTorch's PIL-style filter, cubic a = −0.5, support widened by g/n when shrinking).
/// </summary>
public static class Dinov2PositionEmbedding
{
    public static Tensor Resample(Tensor posEmbed, int grid, long rows, long cols, bool antialias, double offset)
    {
        long n = (long)grid * grid;
        if (posEmbed.shape[1] != n + 1)
            throw new ArgumentException($"position table holds {posEmbed.shape[1]} positions, expected 1 + {grid}×{grid}");
        using var scope = torch.NewDisposeScope();
        long dim = posEmbed.shape[2];
        // The canonical code resamples in float32 whatever the model's dtype, then casts back.
        var table = posEmbed.to_type(ScalarType.Float32);
        var cls = table[.., ..1];
        var patches = table[.., 1..].reshape(1, grid, grid, dim).permute(0, 3, 1, 2);
        var resized = offset > 0
            ? nn.functional.interpolate(patches, scale_factor: [(rows + offset) / grid, (cols + offset) / grid],
                mode: InterpolationMode.Bicubic, align_corners: false, antialias: antialias)
            : nn.functional.interpolate(patches, size: [rows, cols],
                mode: InterpolationMode.Bicubic, align_corners: false, antialias: antialias);
        if (resized.shape[2] != rows || resized.shape[3] != cols)
            throw new InvalidOperationException($"position interpolation gave {resized.shape[2]}×{resized.shape[3]}, expected {rows}×{cols}");
        var flat = resized.permute(0, 2, 3, 1).reshape(1, rows * cols, dim);
        return torch.cat([cls, flat], 1).to_type(posEmbed.dtype).MoveToOuterDisposeScope();
    }
}
