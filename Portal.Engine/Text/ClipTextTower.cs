using Portal.Engine.Encoders.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Text;

/// <summary>Sizes of an OpenCLIP text tower; width, context, vocabulary, layers and embedding come from the checkpoint's shapes.</summary>
public sealed record ClipTextSpec(int VocabSize, int ContextLength, int Width, int Layers, int Heads, int MlpHidden, int EmbedDim, bool QuickGelu)
{
    public IReadOnlyDictionary<string, string> Details() => new Dictionary<string, string>
    {
        ["vocab_size"] = VocabSize.ToString(),
        ["context_length"] = ContextLength.ToString(),
        ["width"] = Width.ToString(),
        ["layers"] = Layers.ToString(),
        ["heads"] = Heads.ToString(),
        ["mlp_hidden"] = MlpHidden.ToString(),
        ["embed_dim"] = EmbedDim.ToString(),
        ["activation"] = QuickGelu ? "quick_gelu" : "gelu (erf)",
        ["pooling"] = "argmax(token id) = end-of-text position",
    };
}

/// <summary>
/// OpenCLIP's text tower (the text fields of `CLIP`, no prefix in the state dict): token_embedding[ids] +
/// positional_embedding → pre-norm residual blocks with the causal mask (the visual ViT's block class) → ln_final →
/// the row at argmax(token ids), i.e. the end-of-text token → @ text_projection [width, embed]. LayerNorm eps 1e-5.
/// </summary>
public sealed class ClipTextTower : nn.Module
{
    private const double Eps = 1e-5;
    private readonly Parameter _tokenEmbedding, _positionalEmbedding, _textProjection;
    private readonly LayerNormLayer _lnFinal;
    private readonly List<ClipResidualBlock> _blocks = [];

    public ClipTextTower(ClipTextSpec spec, TensorPlace place) : base(nameof(ClipTextTower))
    {
        Spec = spec;
        var tokenEmbedding = new Container("token_embedding");
        _tokenEmbedding = place.Param(spec.VocabSize, spec.Width);
        tokenEmbedding.register_parameter("weight", _tokenEmbedding);
        _positionalEmbedding = place.Param(spec.ContextLength, spec.Width);
        _textProjection = place.Param(spec.Width, spec.EmbedDim);
        _lnFinal = new LayerNormLayer(spec.Width, Eps, place);
        var transformer = new Container("transformer");
        var resblocks = transformer.Add("resblocks", new Container("resblocks"));
        for (int i = 0; i < spec.Layers; i++)
            _blocks.Add(resblocks.Add(i.ToString(), new ClipResidualBlock(spec.Width, spec.Heads, spec.MlpHidden, spec.QuickGelu, layerScale: false, Eps, place)));
        register_module("token_embedding", tokenEmbedding);
        register_parameter("positional_embedding", _positionalEmbedding);
        register_module("transformer", transformer);
        register_module("ln_final", _lnFinal);
        register_parameter("text_projection", _textProjection);
    }

    public ClipTextSpec Spec { get; }

    /// <summary>N×context int64 token ids (SOT … EOT, zero-padded) → N×embed, not L2-normalised.</summary>
    public Tensor Encode(Tensor tokens)
    {
        if (tokens.dim() != 2 || tokens.shape[1] != Spec.ContextLength)
            throw new ArgumentException($"text tokens must be N×{Spec.ContextLength}, got [{string.Join(",", tokens.shape)}]");
        using var scope = torch.NewDisposeScope();
        var ids = tokens.to(ScalarType.Int64, _tokenEmbedding.device);
        long min = ids.min().item<long>(), max = ids.max().item<long>();
        if (min < 0 || max >= Spec.VocabSize)
            throw new ArgumentException($"token ids must lie in [0, {Spec.VocabSize}) for this text tower, found [{min}, {max}] (a tokenizer for another vocabulary?)");
        var x = _tokenEmbedding.index_select(0, ids.reshape(-1)).reshape(ids.shape[0], ids.shape[1], -1) + _positionalEmbedding;
        foreach (var b in _blocks) x = b.Forward(x, causal: true);
        x = _lnFinal.Forward(x);
        var eot = ids.argmax(1);
        var pooled = x[torch.arange(x.shape[0], ScalarType.Int64, x.device), eot];
        return pooled.matmul(_textProjection).MoveToOuterDisposeScope();
    }
}
