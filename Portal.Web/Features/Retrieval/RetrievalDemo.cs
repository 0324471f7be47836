using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Checkpoints;
using Portal.Engine.Demo.World;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Features.Retrieval;

/// <summary>
/// First-start demo for retrieval and detection: writes the demo world's small benchmarks, registers the shipped demo
/// encoders (clean and FARE-fine-tuned) and the pixel-L2 baseline, and queues clean + attacked jobs with few
/// iterations once the encoders are validated, so the retrieval pages and the examples viewer have content.
/// </summary>
public sealed class RetrievalDemo(
    DataPaths paths, BenchmarkRegistry benchmarks, EncoderRegistry encoders,
    JobQueue queue, DemoEncoders demoEncoders, ILogger<RetrievalDemo> log)
{
    public const string RetrievalName = "Demo retrieval (rworld)", DetectionName = "Demo detection (hazard signs)";
    /// <summary>APGD iterations of the demo's attacked jobs (the presets' 100 / 200 would take minutes on a CPU).</summary>
    public const int DemoIterations = 10;

    public async Task SeedAsync(int pixelSize, CancellationToken ct)
    {
        var rRoot = Path.Combine(paths.Datasets, "demo-retrieval");
        var dRoot = Path.Combine(paths.Datasets, "demo-detection");
        DemoTaskData.WriteRetrieval(rRoot);
        DemoTaskData.WriteDetection(dRoot);
        var rb = await benchmarks.RegisterAsync(new BenchmarkRequest(RetrievalName, rRoot, "rworld", "test",
            "Demo-world scenes in the revisitop layout: per class 3 easy, 2 hard (shifted, darkened, noisy) and 1 junk (occluded) database images, one query per class"), isDemo: true, ct);
        var db = await benchmarks.RegisterAsync(new BenchmarkRequest(DetectionName, dRoot, TaskBenchmarks.DetectionFormat, "test",
            "Detection by retrieval on demo-world scenes: unsafe = hazard signs (shown blurred), buffer = plain triangles, safe = other objects"), isDemo: true, ct);

        var (clean, fare) = await demoEncoders.RegisterAsync(ct);   // one registration for every demo
        var ids = new List<int> { clean.Id, fare.Id };
        ids.Add((await encoders.RegisterBuiltinAsync("pixel-l2", pixelSize, "Pixel L2", "Negative mean squared pixel difference (baseline)", ct)).Id);

        // Shipped checkpoints are validated in the background; queue their jobs once they are ready.
        demoEncoders.WhenReady(ids, async e =>
        {
            foreach (var b in new[] { rb, db })
                await queue.SubmitAsync(new JobRequest(e.Id, b.Id, Presets.ForKind(b.TaskKind), Iterations: DemoIterations), CancellationToken.None);
        }, "the retrieval/detection demo jobs");
        log.LogInformation("retrieval/detection demo seeded: {R} ({RN} queries), {D} ({DN} queries)", rb.Name, rb.ItemCount, db.Name, db.ItemCount);
    }
}
