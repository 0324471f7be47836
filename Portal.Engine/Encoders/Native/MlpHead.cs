using Portal.Engine.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>DreamSim's MLP head on the embedding: fc2(relu(fc1(e))) + e.</summary>
public sealed class MlpHead : nn.Module
{
    private readonly LinearLayer _fc1, _fc2;

    public MlpHead(long dim, long hidden, TensorPlace place) : base(nameof(MlpHead))
    {
        _fc1 = new LinearLayer(dim, hidden, place);
        _fc2 = new LinearLayer(hidden, dim, place);
        register_module("fc1", _fc1);
        register_module("fc2", _fc2);
    }

    public long Hidden => _fc1.weight.shape[0];

    public Tensor Forward(Tensor e)
    {
        using var scope = torch.NewDisposeScope();
        return _fc2.Forward(nn.functional.relu(_fc1.Forward(e))).add(e).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Reads `fc1.{weight,bias}` and `fc2.{weight,bias}` under any one common prefix (e.g. `mlp.`) from its own
    /// small checkpoint and checks them against the encoder's embedding dimension.
    /// </summary>
    public static MlpHead Load(string path, int embeddingDim, TensorPlace place)
    {
        using var sd = CheckpointLoader.Load(path);
        var fc1 = sd.Keys.Where(k => k == "fc1.weight" || k.EndsWith(".fc1.weight", StringComparison.Ordinal)).ToList();
        if (fc1.Count != 1)
            throw new EncoderLoadException(fc1.Count == 0
                ? $"{path}: MLP head checkpoint has no 'fc1.weight' (expected fc1/fc2 weight and bias, DreamSim's MLP)"
                : $"{path}: MLP head checkpoint has several fc1.weight tensors ({string.Join(", ", fc1)})");
        var prefix = fc1[0][..^"fc1.weight".Length];
        Tensor Get(string name) => sd.TryGet(prefix + name, out var t) ? t : throw new EncoderLoadException($"{path}: MLP head checkpoint has no '{prefix}{name}'");
        var (w1, b1, w2, b2) = (Get("fc1.weight"), Get("fc1.bias"), Get("fc2.weight"), Get("fc2.bias"));
        long hidden = w1.shape[0];
        if (w1.dim() != 2 || w1.shape[1] != embeddingDim || w2.dim() != 2 || w2.shape[0] != embeddingDim || w2.shape[1] != hidden
            || b1.numel() != hidden || b2.numel() != embeddingDim)
            throw new EncoderLoadException($"{path}: MLP head shapes fc1 [{string.Join(",", w1.shape)}], fc2 [{string.Join(",", w2.shape)}] do not fit embedding dimension {embeddingDim}");
        var unexpected = sd.Keys.Where(k => !k.StartsWith(prefix, StringComparison.Ordinal) || !new[] { "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias" }.Contains(k[prefix.Length..])).ToList();
        if (unexpected.Count > 0)
            throw new EncoderLoadException($"{path}: MLP head checkpoint has unexpected key(s): {string.Join(", ", unexpected.Take(5))}");
        var head = new MlpHead(embeddingDim, hidden, place);
        using (torch.no_grad())
        {
            head._fc1.weight.copy_(w1); head._fc1.bias!.copy_(b1);
            head._fc2.weight.copy_(w2); head._fc2.bias!.copy_(b2);
        }
        head.eval();
        foreach (var p in head.parameters()) p.requires_grad = false;
        return head;
    }
}
