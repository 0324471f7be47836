using Portal.Engine.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>What binding a checkpoint to a tower found.</summary>
public sealed record BindReport(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, int Bound);

/// <summary>
/// Copies checkpoint tensors into a tower's parameters key for key (the tower's names are the canonical ones).
/// Missing and unexpected keys are reported; either one refuses the checkpoint unless forced. A shape mismatch
/// is always refused: that is a different model, not a partial one.
/// </summary>
public static class KeyBinder
{
    private const int ListedInError = 5;

    public static BindReport Bind(nn.Module tower, StateDict checkpoint, VisualKeys visual, bool force, string source)
    {
        var parameters = tower.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var missing = parameters.Keys.Where(k => !visual.Has(k)).Select(k => visual.Prefix + k).ToList();
        var unexpected = visual.Shapes.Keys.Where(k => !parameters.ContainsKey(k)).Select(k => visual.Prefix + k).ToList();

        var wrongShape = parameters
            .Where(p => visual.Has(p.Key) && !visual.Shapes[p.Key].SequenceEqual(p.Value.shape))
            .Select(p => $"{visual.Prefix}{p.Key} is [{string.Join(",", visual.Shapes[p.Key])}] but the model needs [{string.Join(",", p.Value.shape)}]")
            .ToList();
        if (wrongShape.Count > 0)
            throw new EncoderLoadException($"{source}: {wrongShape.Count} tensor(s) have the wrong shape for {((NativeTower)tower).Spec.SizeName}: {string.Join("; ", wrongShape.Take(ListedInError))}");

        if (!force && (missing.Count > 0 || unexpected.Count > 0))
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{missing.Count} missing key(s): {List(missing)}");
            if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected key(s): {List(unexpected)}");
            throw new EncoderLoadException($"{source} does not match {((NativeTower)tower).Spec.SizeName} ({((NativeTower)tower).Spec.Family}): {string.Join("; ", parts)}. Use --force (EncoderLoadOptions.Force) to load it anyway.");
        }

        int bound = 0;
        using (torch.no_grad())
        {
            foreach (var (name, p) in parameters)
            {
                if (visual.Has(name)) { p.copy_(checkpoint[visual.Prefix + name]); bound++; }
                else p.zero_(); // forced load: deterministic zeros rather than uninitialised memory
            }
        }
        return new BindReport(missing, unexpected, bound);
    }

    private static string List(List<string> keys) =>
        string.Join(", ", keys.Take(ListedInError)) + (keys.Count > ListedInError ? $", … ({keys.Count - ListedInError} more)" : "");
}
