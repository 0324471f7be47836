using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Checkpoints;
using Portal.Engine.Demo.World;
using Portal.Web.Benchmarks;
using Portal.Web.Configuration;
using Portal.Web.Encoders;
using Portal.Web.Jobs;

namespace Portal.Web.Features.Retrieval;

/// <summary>
/// First-start demo for retrieval and detection: writes the demo world's small benchmarks, registers the shipped demo
/// encoders (clean and FARE-fine-tuned) and the pixel-L2 baseline, and queues clean + attacked jobs with few
/// iterations once the encoders are validated, so the retrieval pages and the examples viewer have content.
/// </summary>
public sealed class RetrievalDemo(
    IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, BenchmarkRegistry benchmarks, EncoderRegistry encoders,
    JobQueue queue, ILogger<RetrievalDemo> log)
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

        var ids = new List<int>();
        foreach (var (file, name, desc) in new[]
        {
            (DemoTraining.CleanFile, "Demo CLIP (clean)", "The demo world's contrastively trained tiny ConvNeXt (shipped weights)"),
            (DemoTraining.FareFile, "Demo R-CLIP-F (FARE)", "The demo encoder after FARE adversarial fine-tuning (shipped weights)"),
        })
            ids.Add((await RegisterShipped(file, new EncoderMetadata { Name = name, Family = "demo", Backbone = "convnext-demo", Submitter = "portal", Description = desc }, ct)).Id);
        ids.Add((await encoders.RegisterBuiltinAsync("pixel-l2", pixelSize, "Pixel L2", "Negative mean squared pixel difference (baseline)", ct)).Id);

        // Shipped checkpoints are validated in the background; queue their jobs once they are ready.
        _ = Task.Run(() => QueueWhenReady(ids, [rb, db]), CancellationToken.None);
        log.LogInformation("retrieval/detection demo seeded: {R} ({RN} queries), {D} ({DN} queries)", rb.Name, rb.ItemCount, db.Name, db.ItemCount);
    }

    private async Task<EncoderRecord> RegisterShipped(string file, EncoderMetadata meta, CancellationToken ct)
    {
        var tmp = Path.Combine(paths.Uploads, $"demo-{Guid.NewGuid():N}.tmp");
        await using (var src = DemoWeights.Open(file))
        await using (var dst = File.Create(tmp)) await src.CopyToAsync(dst, ct);
        var outcome = await encoders.RegisterReceivedFileAsync(tmp, new FileInfo(tmp).Length, FileHash.Sha256(tmp), meta with { FileName = file }, ct);
        return outcome.Encoder;
    }

    private async Task QueueWhenReady(List<int> encoderIds, BenchmarkRecord[] benches)
    {
        var until = DateTime.UtcNow.AddMinutes(10);
        var pending = new List<int>(encoderIds);
        try
        {
            while (pending.Count > 0 && DateTime.UtcNow < until)
            {
                await using (var db = await dbFactory.CreateDbContextAsync())
                {
                    foreach (var id in pending.ToList())
                    {
                        var e = await db.Encoders.AsNoTracking().SingleAsync(x => x.Id == id);
                        if (e.Status == EncoderStatus.Validating) continue;
                        pending.Remove(id);
                        if (e.Status != EncoderStatus.Ready) { log.LogWarning("demo encoder {Name} is {Status}: {Reason}", e.DisplayName, e.Status, e.RejectReason); continue; }
                        foreach (var b in benches)
                            await queue.SubmitAsync(new JobRequest(e.Id, b.Id, Presets.ForKind(b.TaskKind), Iterations: DemoIterations), CancellationToken.None);
                    }
                }
                if (pending.Count > 0) await Task.Delay(250);
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "could not queue the retrieval/detection demo jobs: {Message}", e.Message);
        }
    }
}
