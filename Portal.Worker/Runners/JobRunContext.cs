using Portal.Data.Entities;

namespace Portal.Worker.Runners;

/// <summary>
/// Everything a runner gets for one attempt at a job. <see cref="ArtifactsDir"/> is the job's own folder under the data
/// folder's artifacts/ (created, and kept across attempts so a resumed job finds what it wrote before).
/// </summary>
public sealed record JobRunContext(
    JobRecord Job,
    EncoderRecord Encoder,
    DatasetRecord Dataset,
    JobProgressSink Progress,
    string ArtifactsDir,
    CancellationToken Cancellation)
{
    /// <summary>The dataset as the runner's kind needs it (a runner is chosen by the dataset's task kind, and each kind
    /// lives in one table, so a mismatch is a bug, said as such).</summary>
    public BenchmarkRecord Benchmark => As<BenchmarkRecord>();
    public GalleryRecord Gallery => As<GalleryRecord>();
    public TrainingImageSetRecord ImageSet => As<TrainingImageSetRecord>();

    private T As<T>() where T : DatasetRecord => Dataset as T
        ?? throw new InvalidOperationException($"job {Job.Id} runs on dataset {Dataset.Id} ({Dataset.Name}), a {Dataset.GetType().Name}, not a {typeof(T).Name}");
}
