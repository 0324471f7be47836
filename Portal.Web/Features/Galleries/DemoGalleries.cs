using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Demo.World;
using Portal.Engine.Images;
using Portal.Web.Configuration;
using Portal.Web.Encoders;

namespace Portal.Web.Features.Galleries;

/// <summary>
/// The demo's galleries: the two shipped demo encoders (clean and FARE ConvNeXt, 64×64, see docs/fare.md) registered
/// like any server file (validated in the background), a feature gallery of four demo-world scenes (one per shape
/// class), and one short inversion job per encoder once both are validated: 2 seeds × 40 APGD iterations, a few
/// seconds on a CPU. Text inversion needs the CLIP vocabulary file, which cannot be shipped: no demo text gallery.
/// </summary>
public sealed class DemoGalleries(
    DataPaths paths, Portal.Web.Demo.DemoEncoders demoEncoders, GalleryService galleries, IHostApplicationLifetime lifetime)
{
    public const string GalleryName = "Demo world scenes";
    public const int Targets = 4, Iterations = 40;
    /// <summary>World seed of the gallery scenes (disjoint from the training and benchmark seeds).</summary>
    public const ulong WorldSeed = 0x6A11E;

    public async Task SeedAsync(CancellationToken ct)
    {
        var (clean, fare) = await demoEncoders.RegisterAsync(ct);

        var folder = Path.Combine(paths.Datasets, "demo-gallery-images");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < Targets; i++)
        {
            var file = Path.Combine(folder, $"{i:00}-{WorldClasses.Names[DemoWorld.ClassOf(i)]}.png");
            if (File.Exists(file)) continue;
            using var img = DemoWorld.Quantised(WorldSeed, i);
            ImageIO.SavePng(img, file);
        }
        var gallery = await galleries.DefineAsync(new GalleryRequest(GalleryName, "features", Images: folder, Seeds: [0, 1], Iterations: Iterations,
            Description: $"{Targets} demo-world scenes, 2 seeds, {Iterations} APGD iterations (a short preview of the paper's 500)"), isDemo: true, ct);

        // Validation runs in the background after start-up; queue once both encoders are ready.
        var ids = new[] { clean.Id, fare.Id };
        demoEncoders.WhenReady(ids, e => galleries.QueueAsync(e.Id, gallery.Id, null, lifetime.ApplicationStopping), "the demo inversion jobs");
    }
}
