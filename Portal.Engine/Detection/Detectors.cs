using Portal.Engine.Attacks;
using Portal.Engine.Retrieval;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Detection;

/// <summary>
/// The detectors evaluated: "retrieval" (class of the nearest pool image by cosine similarity), "classifier" (the
/// classifier-type detector alone: unsafe or safe) and "combined" (unsafe if either says unsafe, else the retrieval
/// class; the paper's Table IV rule). Decisions are class indices into <see cref="Classes"/>.
/// </summary>
public sealed class Detectors : IDisposable
{
    public const string RetrievalName = "retrieval", ClassifierName = "classifier", CombinedName = "combined";
    public RetrievalEmbeddings Embedder { get; }
    public UnsafeClassifier? Classifier { get; }
    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<RetrievalImage> Pool { get; }
    private readonly Tensor _poolT;       // D×P, normalised
    private readonly Tensor _poolClass;   // P, int64
    private readonly long _safe, _unsafe;

    public Detectors(RetrievalEmbeddings embedder, UnsafeClassifier? classifier, IReadOnlyList<string> classes,
        IReadOnlyList<RetrievalImage> pool, IReadOnlyList<int> poolClass, Tensor poolEmbeddings)
    {
        Embedder = embedder; Classifier = classifier; Classes = classes; Pool = pool;
        var dev = embedder.Model.Device;
        _poolT = poolEmbeddings.to(dev).t().contiguous().DetachFromDisposeScope();
        _poolClass = torch.tensor(poolClass.Select(c => (long)c).ToArray()).to(dev).DetachFromDisposeScope();
        _safe = IndexOf(DetectionDataset.Safe);
        _unsafe = IndexOf(DetectionDataset.Unsafe);
        if (classifier != null && (_safe < 0 || _unsafe < 0))
            throw new ArgumentException("a classifier detector needs both a 'safe' and an 'unsafe' class");
    }

    public long IndexOf(string cls) => Classes.ToList().IndexOf(cls);

    public IReadOnlyList<string> Names => Classifier == null ? [RetrievalName] : [RetrievalName, ClassifierName, CombinedName];

    /// <summary>What a detector needs from a forward pass: normalised embedding and/or classifier margin.</summary>
    public (Tensor? Embedding, Tensor? Margin) Forward(Tensor x, string detector)
    {
        var emb = detector != ClassifierName ? Embedder.Embed(x) : null;
        var m = detector != RetrievalName ? Classifier!.Margin(x) : null;
        return (emb, m);
    }

    /// <summary>Similarities to every pool image, N×P.</summary>
    public Tensor PoolSimilarities(Tensor embedding) => embedding.matmul(_poolT);

    public Tensor Decide(string detector, Tensor? embedding, Tensor? margin)
    {
        using var scope = torch.NewDisposeScope();
        Tensor Retr() => _poolClass.index_select(0, PoolSimilarities(embedding!).argmax(1));
        Tensor ClfUnsafe() => margin! > 0;
        Tensor r = detector switch
        {
            RetrievalName => Retr(),
            ClassifierName => torch.where(ClfUnsafe(), torch.full_like(margin!, _unsafe, ScalarType.Int64), torch.full_like(margin!, _safe, ScalarType.Int64)),
            CombinedName => torch.where(ClfUnsafe(), torch.full_like(margin!, _unsafe, ScalarType.Int64), Retr()),
            _ => throw new ArgumentException($"unknown detector '{detector}'"),
        };
        return r.MoveToOuterDisposeScope();
    }

    /// <summary>Whether a detector can be pushed to a target class (the classifier alone knows only safe and unsafe).</summary>
    public bool CanTarget(string detector, string target) => detector != ClassifierName || target is DetectionDataset.Safe or DetectionDataset.Unsafe;

    /// <summary>
    /// The targeted attack (Eq. 5) towards class <paramref name="target"/>: maximise the mean cosine similarity to the
    /// target images' embeddings. Against the classifier alone: push its margin towards the target's side. Against the
    /// combined rule: both at once — towards safe the classifier must also say safe, so its margin is pulled down with
    /// softplus(m) (zero effort once it is clearly safe); towards unsafe either suffices, and softplus(m) is added.
    /// Success = the detector's decision is the target (the first such iterate is kept).
    /// </summary>
    public AttackObjective Objective(string detector, string target, Tensor targetsNormalized)
    {
        long t = IndexOf(target);
        bool towardUnsafe = target == DetectionDataset.Unsafe;
        return (x, idx) =>
        {
            var (e, m) = Forward(x, detector);
            Tensor loss = detector switch
            {
                RetrievalName => EmbeddingAttacks.MeanCosine(e!, targetsNormalized),
                ClassifierName => towardUnsafe ? m! : -m!,
                _ => EmbeddingAttacks.MeanCosine(e!, targetsNormalized) + (towardUnsafe ? 1 : -1) * nn.functional.softplus(m!),
            };
            Tensor success;
            using (torch.no_grad()) success = Decide(detector, e?.detach(), m?.detach()) == t;
            return new ObjectiveValue(loss, success);
        };
    }

    public void Dispose() { _poolT.Dispose(); _poolClass.Dispose(); }
}
