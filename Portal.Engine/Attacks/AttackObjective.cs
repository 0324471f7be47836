using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// What an attack maximises. Called with the current points of the items still attacked (M×…) and their indices
/// into the batch the attack was started on (M, int64), so a task can pick each item's own targets (e.g. the cached
/// 2AFC candidate embeddings). Returns the per-item loss (M, to maximise, differentiable w.r.t. x) and optionally
/// whether each item is already a success (M, bool) — e.g. a fooled 2AFC triplet; tasks without a notion of
/// success (retrieval, inversion) return null and the attack simply keeps the highest-loss point.
/// </summary>
public delegate ObjectiveValue AttackObjective(Tensor x, Tensor batchIndices);

public readonly record struct ObjectiveValue(Tensor Loss, Tensor? Success);
