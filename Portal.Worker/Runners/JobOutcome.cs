using Portal.Data.Entities;

namespace Portal.Worker.Runners;

/// <summary>
/// What a runner produced. <see cref="Result"/> carries the typed metrics (its ids and keys are filled by the worker):
/// <c>CleanValue</c>/<c>RobustValue</c> (named by <c>Metric</c>) hold the task's headline metric (2AFC accuracy, retrieval mAP, detection
/// rate…), <c>Splits</c> its breakdown, <c>FullJson</c> everything the engine returned. <see cref="ArtifactsDir"/> is set
/// when the job left files worth showing (adversarial examples, inversions), relative to the artifacts folder.
/// </summary>
public sealed record JobOutcome(ResultRecord Result, string? ArtifactsDir = null);
