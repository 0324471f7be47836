using Portal.Engine.Checkpoints.Pickle;

namespace Portal.Engine.Checkpoints;

/// <summary>
/// Finds the tensor state dict inside what <c>torch.save</c> was given. Released checkpoints wrap it:
/// <c>{"state_dict": ...}</c> (training scripts), <c>{"model": ...}</c>, DINO's <c>{"teacher", "student",
/// "optimizer", "epoch", "args", ...}</c>, and DDP's <c>module.</c> key prefix. What was unwrapped, stripped,
/// dropped and ignored is recorded so <c>inspect</c> can show it.
/// </summary>
public static class CheckpointWrappers
{
    /// <summary>Wrapper keys in preference order: DINO's teacher is the network its authors evaluate.</summary>
    public static readonly IReadOnlyList<string> WrapperKeys = ["state_dict", "model", "teacher", "student", "module"];

    private const int MaxWrapperLevels = 4;

    public sealed record Selection(IReadOnlyList<KeyValuePair<string, PickleTensor>> Tensors, IReadOnlyDictionary<string, string> Notes);

    public static Selection Select(object? root, string source)
    {
        var notes = new Dictionary<string, string>();
        var taken = new List<string>();
        var current = root;
        for (int level = 0; ; level++)
        {
            if (current is not PyDict d)
                throw new CheckpointFormatException($"{source}: the checkpoint holds a {PickleText.TypeName(current)}{(taken.Count > 0 ? $" under '{string.Join("/", taken)}'" : "")}, not a dict of tensors");
            var hasTensors = d.Any(kv => kv.Value is PickleTensor);
            var wrapper = hasTensors || level >= MaxWrapperLevels ? null
                : WrapperKeys.FirstOrDefault(k => d.TryGetValue(k, out var v) && v is PyDict);
            if (wrapper is null) break;
            var others = d.Keys.Where(k => !Equals(k, wrapper)).Select(k => k.ToString()!).ToList();
            if (others.Count > 0) notes[$"ignored_next_to_{wrapper}"] = Summarise(others);
            taken.Add(wrapper);
            current = d[wrapper];
        }

        var dict = (PyDict)current!;
        var tensors = new List<KeyValuePair<string, PickleTensor>>();
        var ignored = new List<string>();
        foreach (var kv in dict)
        {
            if (kv.Key is string name && kv.Value is PickleTensor t) tensors.Add(new(name, t));
            else ignored.Add($"{PickleText.Describe(kv.Key)} ({PickleText.TypeName(kv.Value)})");
        }
        if (tensors.Count == 0)
            throw new CheckpointFormatException(
                $"{source}: no tensors found{(taken.Count > 0 ? $" under '{string.Join("/", taken)}'" : "")} (keys: {Summarise(dict.Keys.Select(k => PickleText.Describe(k)))})");
        if (taken.Count > 0) notes["unwrapped"] = string.Join("/", taken);
        if (ignored.Count > 0) notes["ignored_entries"] = Summarise(ignored);

        var stripped = new List<string>();
        if (tensors.All(kv => kv.Key.StartsWith("module.", StringComparison.Ordinal)))
        {
            tensors = tensors.Select(kv => new KeyValuePair<string, PickleTensor>(kv.Key["module.".Length..], kv.Value)).ToList();
            stripped.Add("module.");
        }
        // DINO's teacher/student are MultiCropWrapper(backbone, head): the encoder is the backbone; the
        // projection head exists for the self-distillation loss only.
        if (taken.Count > 0 && taken[^1] is "teacher" or "student" && tensors.Any(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal)))
        {
            var dropped = tensors.Where(kv => !kv.Key.StartsWith("backbone.", StringComparison.Ordinal)).Select(kv => kv.Key).ToList();
            tensors = tensors.Where(kv => kv.Key.StartsWith("backbone.", StringComparison.Ordinal))
                .Select(kv => new KeyValuePair<string, PickleTensor>(kv.Key["backbone.".Length..], kv.Value)).ToList();
            stripped.Add("backbone.");
            if (dropped.Count > 0) notes["dropped_non_backbone"] = $"{dropped.Count} tensors ({Summarise(dropped)})";
        }
        if (stripped.Count > 0) notes["stripped_prefixes"] = string.Join(" ", stripped);
        return new Selection(tensors, notes);
    }

    private static string Summarise(IEnumerable<string> items)
    {
        var list = items.ToList();
        const int max = 12;
        return list.Count <= max ? string.Join(", ", list) : string.Join(", ", list.Take(max)) + $", … ({list.Count} in all)";
    }
}
