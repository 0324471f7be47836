using Portal.Engine.Checkpoints.Pickle;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Checkpoints;

/// <summary>Turns the selected pickle tensors into a <see cref="StateDict"/>, reading each storage once.</summary>
internal static class TorchTensors
{
    /// <summary>The distinct storages the selected tensors use, in first-use order.</summary>
    public static IEnumerable<StorageRef> Storages(CheckpointWrappers.Selection selection) =>
        selection.Tensors.Select(kv => kv.Value.Storage).DistinctBy(s => s.Key);

    /// <summary>Checks every view against its storage and sums the storages' declared bytes; reads nothing.</summary>
    public static CheckpointPlan Plan(CheckpointWrappers.Selection selection, string path, string format)
    {
        var tensors = new List<CheckpointTensorPlan>(selection.Tensors.Count);
        foreach (var (name, t) in selection.Tensors)
        {
            TorchStorage.CheckView(name, t, path);
            var bytes = SafeTensors.ByteCount(t.Size, TorchStorage.ElementSize(t.Storage.DType), path, name, t.Storage.DType.ToString());
            tensors.Add(new CheckpointTensorPlan(name, t.Storage.DType.ToString(), t.Size, bytes, t.Storage.Key));
        }
        return new CheckpointPlan(path, format, tensors, CheckpointPlan.Sum(Storages(selection).Select(s => TorchStorage.ByteLength(s, path)), path));
    }

    public static StateDict Materialise(CheckpointWrappers.Selection selection, Dictionary<string, string> meta,
        CheckpointLoadOptions options, string path, Func<StorageRef, Tensor> readStorage)
    {
        foreach (var (name, t) in selection.Tensors) TorchStorage.CheckView(name, t, path);
        var built = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var group in selection.Tensors.GroupBy(kv => kv.Value.Storage.Key))
            {
                using var storage = readStorage(group.First().Value.Storage);
                foreach (var (name, t) in group)
                {
                    if (built.ContainsKey(name)) throw new CheckpointFormatException($"{path}: duplicate tensor name '{name}'");
                    var x = TorchStorage.Materialise(storage, t);
                    if (options.FloatType is { } ft && x.is_floating_point() && x.dtype != ft)
                    {
                        var c = x.to_type(ft);
                        x.Dispose();
                        x = c;
                    }
                    built[name] = x;
                }
            }
            var sd = new StateDict { Metadata = meta };
            foreach (var (name, _) in selection.Tensors) sd.Add(name, built[name]);
            return sd;
        }
        catch
        {
            foreach (var t in built.Values) t.Dispose();
            throw;
        }
    }
}
