using Portal.Data.Entities;

namespace Portal.Worker.Runners;

/// <summary>
/// Everything a runner gets for one attempt at a job. <see cref="ArtifactsDir"/> is the job's own folder under the data
/// folder's artifacts/ (created, and kept across attempts so a resumed job finds what it wrote before).
/// </summary>
public sealed record JobRunContext(
    JobRecord Job,
    EncoderRecord Encoder,
    BenchmarkRecord Benchmark,
    JobProgressSink Progress,
    string ArtifactsDir,
    CancellationToken Cancellation);
