using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Engine.Demo;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Jobs;

namespace Portal.Web.Features.Demo;

/// <summary>
/// The embedded default: on first start with an empty database, generate the procedural demo 2AFC benchmark into the
/// data folder, register the pixel baselines (L2, SSIM) and queue their clean and short-APGD evaluations, so the
/// queue, live progress and results show up within minutes on a CPU with nothing downloaded.
/// </summary>
public sealed class DemoSeeder(
    IDbContextFactory<PortalDbContext> dbFactory, IOptions<PortalOptions> options, DataPaths paths,
    BenchmarkRegistry benchmarks, EncoderRegistry encoders, JobQueue queue, ILogger<DemoSeeder> log,
    Portal.Web.Features.Retrieval.RetrievalDemo retrievalDemo, Portal.Web.Features.Galleries.DemoGalleries galleries, DemoEncoders demoEncoders, DemoUpgrade upgrade) : IHostedService
{
    public const string BenchmarkName = "Demo 2AFC (procedural)";

    /// <summary>
    /// What every encoder of the demo board runs: clean, the board's own threat model L∞ 1/255 (its robust column: the
    /// tiny demo encoders are not robust at the paper's ε, <see cref="Presets.DemoLinfEps"/>) and the paper's L∞ 4/255,
    /// kept so the encoder pages show the collapse there too.
    /// </summary>
    public static readonly string[] BoardPresets = [Presets.Clean, Presets.DemoLinf1, Presets.Linf4];

    public async Task StartAsync(CancellationToken ct)
    {
        var demo = options.Value.Demo;
        if (!demo.Enabled) return;
        bool seeded;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            seeded = await db.Encoders.AnyAsync(ct) || await db.Datasets.AnyAsync(ct) || await db.Jobs.AnyAsync(ct);
        try
        {
            // A database with content is never re-seeded; a demo an earlier version seeded is brought up to date.
            if (seeded) await upgrade.RunAsync(demo.ApgdIterations, ct);
            else await SeedAsync(demo, ct);
        }
        catch (Exception e)
        {
            // The portal is still usable without its demo; say why it is missing.
            log.LogError(e, seeded ? "could not bring the demo up to date: {Message}" : "could not seed the demo benchmark: {Message}", e.Message);
        }
    }

    private async Task SeedAsync(DemoOptions demo, CancellationToken ct)
    {
        var root = Path.Combine(paths.Datasets, "demo-2afc");
        Directory.CreateDirectory(root);
        var spec = new DemoTwoAfcGenerator.DemoSpec(demo.Triplets, demo.ImageSize);
        DemoTwoAfcGenerator.EnsureGenerated(root, spec);
        // Split "procedural": generated rows, not NIGHTS' test_imagenet / test_no_imagenet.
        var bench = await benchmarks.RegisterAsync(new BenchmarkRequest(BenchmarkName, root, "nights", spec.Split,
            $"{demo.Triplets} procedural triplets at {demo.ImageSize}×{demo.ImageSize}; the milder distortion is the human choice by construction"), isDemo: true, ct);
        var l2 = await encoders.RegisterBuiltinAsync("pixel-l2", demo.ImageSize, "Pixel L2", "Negative mean squared pixel difference (baseline)", ct);
        var ssim = await encoders.RegisterBuiltinAsync("ssim", demo.ImageSize, "SSIM", "Structural similarity, 11×11 Gaussian window (baseline)", ct);
        foreach (var e in new[] { l2, ssim })
            await queue.SubmitAsync(new JobRequest(e.Id, bench.Id, BoardPresets, Iterations: demo.ApgdIterations), ct);
        // The shipped demo encoders (clean + FARE) next to the baselines, once validated: the paper's effect in small.
        var (clean, fare) = await demoEncoders.RegisterAsync(ct);
        demoEncoders.WhenReady([clean.Id, fare.Id], e => queue.SubmitAsync(new JobRequest(e.Id, bench.Id, BoardPresets, Iterations: demo.ApgdIterations), CancellationToken.None), "the demo encoders' 2AFC jobs");
        await galleries.SeedAsync(ct); // demo encoders + inversion gallery (docs/inversion.md, “In the portal”)
        log.LogInformation("demo seeded: benchmark '{Bench}' ({N} triplets) and {Jobs} queued jobs", bench.Name, bench.ItemCount, 2 * BoardPresets.Length);
        if (demo.Retrieval) await retrievalDemo.SeedAsync(demo.ImageSize, ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
