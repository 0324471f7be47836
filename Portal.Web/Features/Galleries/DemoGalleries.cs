using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Demo.World;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using Microsoft.Extensions.Options;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;

namespace Portal.Web.Features.Galleries;

/// <summary>
/// The demo's galleries: the two shipped demo encoders (clean and FARE ConvNeXt, 64×64, docs/fare-and-demo.md, "Demo world (Portal.Engine/Demo/World)") registered
/// like any server file (validated in the background), a feature gallery of seven demo-world scenes (one per shape
/// class), and one inversion job per encoder once both are validated: the paper's protocol (2 seeds here, 500 APGD
/// iterations by default) with its radius rescaled to 64 px (<see cref="InversionSettings.PaperRadiusAt"/>), about 7 s per
/// encoder on a CPU. Text inversion needs the CLIP vocabulary file, which cannot be shipped: no demo text gallery.
/// </summary>
public sealed class DemoGalleries(
    DataPaths paths, DemoEncoders demoEncoders, GalleryService galleries, IHostApplicationLifetime lifetime,
    IOptions<PortalOptions> options)
{
    public const string GalleryName = "Demo world scenes";
    public static int Targets => WorldClasses.Count;
    /// <summary>Input size of the shipped demo encoders.</summary>
    public const int ImageSize = 64;
    /// <summary>World seed of the gallery scenes (disjoint from the training and benchmark seeds).</summary>
    public const ulong WorldSeed = 0x6A11E;

    private static string FileStem(int i) => $"{i:00}-{WorldClasses.Names[WorldImages.ClassOf(i)]}";

    /// <summary>
    /// The targets of the detection demo's unsafe class (hazard signs): blurred in the gallery as in the detection viewer,
    /// one blur policy wherever an image of a sensitive class appears (SensitiveBlur.ShouldBlur).
    /// </summary>
    public static IReadOnlyList<string> SensitiveTargetIds
    {
        get
        {
            var ids = InversionIndex.Ids(Enumerable.Range(0, Targets).Select(FileStem));
            return Enumerable.Range(0, Targets).Where(i => WorldImages.ClassOf(i) == WorldClasses.Hazard).Select(i => ids[i]).ToList();
        }
    }

    public async Task SeedAsync(CancellationToken ct)
    {
        var (clean, fare) = await demoEncoders.RegisterAsync(ct);

        var folder = Path.Combine(paths.Datasets, "demo-gallery-images");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < Targets; i++)
        {
            var file = Path.Combine(folder, FileStem(i) + ".png");
            if (File.Exists(file)) continue;
            File.WriteAllBytes(file, WorldImages.Png(WorldSeed, i));
        }
        int iterations = options.Value.Demo.InversionIterations;
        double radius = Math.Round(InversionSettings.PaperRadiusAt(ImageSize, ImageSize), 2);
        var gallery = await galleries.DefineAsync(new GalleryRequest(GalleryName, "features", Images: folder, Seeds: [0, 1], Iterations: iterations, Radius: radius,
            Description: $"{Targets} demo-world scenes (one per class), 2 seeds, {iterations} APGD iterations, L2 radius {radius:0.##} " +
                $"(the paper's 100 at 224 px, rescaled to {ImageSize} px); the hazard sign (the detection demo's unsafe class) is shown blurred",
            SensitiveTargets: [.. SensitiveTargetIds]), isDemo: true, ct);

        // Validation runs in the background after start-up; queue once both encoders are ready.
        var ids = new[] { clean.Id, fare.Id };
        demoEncoders.WhenReady(ids, e => galleries.QueueAsync(e.Id, gallery.Id, null, lifetime.ApplicationStopping), "the demo inversion jobs");
    }
}
