using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using Portal.Engine.Progress;
using Portal.Engine.Text;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Galleries;
using TorchSharp;
using static TorchSharp.torch;
using Portal.Engine.Attacks;

namespace Portal.Worker.Runners;

/// <summary>
/// Inversion galleries (feature-inversion, text-inversion): every target (image or prompt) is inverted with all the
/// gallery's seeds through the engine's FeatureInversion, one target at a time; after each target its PNGs and the
/// job's index.json (the engine's InversionIndex format) are written, so a resumed job skips finished targets. Feature
/// galleries then score the reconstructions across encoders (the paper's Table VII, <see cref="CrossScores"/>).
/// Headline: mean final cosine (CleanValue, metric mean-cosine); per-target means are the splits.
/// </summary>
public sealed class InversionJobRunner(
    IDbContextFactory<PortalDbContext> dbFactory, IOptions<PortalOptions> options, ModelFactory models, DataPaths paths, JobBatchSizes batches) : IJobRunner
{
    public IReadOnlyCollection<TaskKind> TaskKinds { get; } = [Portal.Data.Entities.TaskKind.FeatureInversion, Portal.Data.Entities.TaskKind.TextInversion];

    private sealed record Target(InversionTargetEntry Entry, Tensor? Seen);

    public JobOutcome Run(JobRunContext c)
    {
        var clock = Stopwatch.StartNew();
        var bench = c.Gallery;
        var def = GalleryDefinition.Load(bench.DatasetRoot);
        def.Validate($"gallery '{bench.Name}'");
        Datasets.DatasetVersionCheck.Ensure(bench, def.Version(bench.DatasetRoot));
        if (c.Encoder.IsBuiltin || c.Encoder.StoragePath is null || BuiltinModels.IsBuiltin(c.Encoder.StoragePath))
            throw new InvalidOperationException($"{c.Encoder.DisplayName} is a pixel baseline: it has no learned embedding to invert");
        // The job's configuration may override iterations (a preview); radius and seeds are the gallery's.
        if (c.Job.Config.Iterations > 0) def = def with { Iterations = c.Job.Config.Iterations };
        var settings = def.Settings(batches.ForSeeds(c, def.Seeds.Count));

        using var encoder = EncoderLoader.Load(c.Encoder.StoragePath, models.LoadOptions(c.Encoder));
        var entry = InversionIndexWriter.EntryFor(c.Encoder.DisplayName, Path.GetFileName(c.Encoder.StoragePath), c.Encoder.Sha256 ?? "", encoder);

        var targets = new List<Target>();
        using var targetScope = torch.NewDisposeScope();
        using var embeddings = def.IsText ? EmbedPrompts(c, def, encoder, targets) : EmbedImages(bench.DatasetRoot, def, encoder, targets);

        // Resume: keep the finished targets of an earlier attempt (same encoder and protocol, PNGs present).
        var indexPath = Path.Combine(c.ArtifactsDir, InversionIndex.FileName);
        var results = Previous(indexPath, c.ArtifactsDir, entry, settings, targets.Select(t => t.Entry.Id).ToHashSet());
        var previousWall = File.Exists(indexPath) ? InversionIndex.Read(indexPath).WallSeconds : 0;
        int runsTotal = targets.Count * settings.Seeds.Count;
        // One ETA for the whole attempt (average rate since the loop began), not one per target: see SteadyEta.
        var eta = new SteadyEta(results.Count);
        var loopClock = Stopwatch.StartNew();

        for (int t = 0; t < targets.Count; t++)
        {
            var id = targets[t].Entry.Id;
            if (results.Count(r => r.Target == id) == settings.Seeds.Count) continue;
            c.Cancellation.ThrowIfCancellationRequested();
            results.RemoveAll(r => r.Target == id);
            int doneBefore = results.Count;
            double? meanSoFar = results.Count > 0 ? results.Average(r => r.FinalCosine) : null;
            int targetNumber = t + 1;
            using var goal = embeddings[t].unsqueeze(0);
            var runs = FeatureInversion.Run(encoder, goal, settings, p =>
            {
                var done = doneBefore + p.RunsDone;
                // The iteration counts through a whole batch of seeds at once: its fraction is of the batch's runs, not of one run.
                var inBatch = Math.Min(settings.BatchSize, p.RunsTotal - p.RunsDone);
                var work = done + (p.Iteration < p.Iterations ? inBatch * (double)p.Iteration / p.Iterations : 0);
                c.Progress.Report(new EvaluationProgress($"{(def.IsText ? "prompt" : "target")} {targetNumber}/{targets.Count} · iteration {p.Iteration}/{p.Iterations}",
                    done, runsTotal, meanSoFar, null, eta.Remaining(work, runsTotal, loopClock.Elapsed)));
            }, c.Cancellation);
            try
            {
                Directory.CreateDirectory(Path.Combine(c.ArtifactsDir, "inversions"));
                foreach (var r in runs)
                {
                    var rel = $"inversions/{id}-seed{r.Seed}.png";
                    ImageIO.SavePng(r.Image, Path.Combine(c.ArtifactsDir, rel));
                    results.Add(new InversionResultEntry(id, r.Seed, rel, r.StartCosine, r.FinalCosine, r.DeltaL2));
                }
            }
            finally { runs.ForEach(r => r.Dispose()); }
            WriteIndex(indexPath, def, entry, settings, targets, results, previousWall + clock.Elapsed.TotalSeconds);
        }
        var index = WriteIndex(indexPath, def, entry, settings, targets, results, previousWall + clock.Elapsed.TotalSeconds);
        c.Progress.Report(new EvaluationProgress("done", runsTotal, runsTotal, results.Average(r => r.FinalCosine), null, TimeSpan.Zero));

        CrossScores? cross = null;
        if (!def.IsText)
        {
            c.Progress.Report(new EvaluationProgress("scoring across encoders (Table VII)", runsTotal, runsTotal, results.Average(r => r.FinalCosine), null, null));
            cross = CrossScoring.Compute(dbFactory, models, paths, c, encoder, index, targets.Select(t => (t.Entry.Id, t.Entry.Source!)).ToList());
            cross.Save(Path.Combine(c.ArtifactsDir, CrossScores.FileName));
        }
        return new JobOutcome(Draft(index, settings, cross, encoder, clock.Elapsed.TotalSeconds + previousWall), Path.GetRelativePath(paths.Artifacts, c.ArtifactsDir));
    }

    private static Tensor EmbedImages(string folder, GalleryDefinition def, IImageEncoder encoder, List<Target> targets)
    {
        var files = def.TargetFiles(folder);
        var seen = new List<Tensor>();
        foreach (var (id, file) in files)
        {
            using var img = ImageIO.Load(file);
            // The target as the encoder sees it (resized/cropped by its recipe); that image is what the gallery shows.
            var s = Resize.Apply(img.unsqueeze(0), encoder.Info.Preprocessing)[0].contiguous();
            seen.Add(s);
            targets.Add(new Target(new InversionTargetEntry(id) { Source = file, Image = $"targets/{id}.png" }, s));
        }
        return FeatureInversion.Embed(encoder, torch.stack(seen, 0));
    }

    private Tensor EmbedPrompts(JobRunContext c, GalleryDefinition def, IImageEncoder encoder, List<Target> targets)
    {
        var tokenizer = ClipTokenizer.Load(def.Vocabulary!);
        using var text = ClipTextLoader.Load(c.Encoder.StoragePath!, new ClipTextLoadOptions
        {
            Heads = def.TextHeads, QuickGelu = def.QuickGelu, AllowTorchScript = options.Value.AllowTorchScript, Device = encoder.Device,
        });
        if (text.Spec.EmbedDim != encoder.Info.EmbeddingDim)
            throw new InvalidDataException($"{c.Encoder.DisplayName}: text embeddings have {text.Spec.EmbedDim} dimensions but image embeddings {encoder.Info.EmbeddingDim} (not one CLIP model?)");
        if (tokenizer.Vocabulary.Count > text.Spec.VocabSize)
            throw new InvalidDataException($"{def.Vocabulary} has {tokenizer.Vocabulary.Count} tokens but the text tower of {c.Encoder.DisplayName} only {text.Spec.VocabSize}: wrong vocabulary for this checkpoint");
        var ids = def.PromptIds();
        var tokenized = def.Prompts!.Select(tokenizer.Tokenize).ToList();
        for (int i = 0; i < tokenized.Count; i++)
            targets.Add(new Target(new InversionTargetEntry(ids[i]) { Prompt = tokenized[i].Text, Cleaned = tokenized[i].Cleaned, TokenCount = tokenized[i].TokenCount, Truncated = tokenized[i].Truncated }, null));
        using var tokens = torch.tensor(tokenized.SelectMany(t => t.Ids.Select(x => (long)x)).ToArray(), ScalarType.Int64)
            .reshape(tokenized.Count, tokenizer.ContextLength).to(encoder.Device);
        return text.Encode(tokens);
    }

    /// <summary>Entries of an earlier attempt that can be kept: same encoder and protocol, image file present.</summary>
    private static List<InversionResultEntry> Previous(string indexPath, string folder, InversionEncoderEntry encoder, InversionSettings settings, HashSet<string> ids)
    {
        if (!File.Exists(indexPath)) return [];
        InversionIndex old;
        try { old = InversionIndex.Read(indexPath); }
        catch (Exception e) when (e is JsonException or FormatException) { return []; }
        if (old.Encoder.Sha256 != encoder.Sha256 || old.Settings.Iterations != settings.Iterations || old.Settings.Radius != settings.Radius
            || !old.Settings.Seeds.SequenceEqual(settings.Seeds)) return [];
        return old.Results.Where(r => ids.Contains(r.Target) && settings.Seeds.Contains(r.Seed) && File.Exists(Path.Combine(folder, r.Image))).ToList();
    }

    private static InversionIndex WriteIndex(string path, GalleryDefinition def, InversionEncoderEntry encoder, InversionSettings settings,
        List<Target> targets, List<InversionResultEntry> results, double wall)
    {
        var folder = Path.GetDirectoryName(path)!;
        foreach (var t in targets.Where(t => t.Seen is not null))
        {
            var file = Path.Combine(folder, t.Entry.Image!);
            if (File.Exists(file)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            ImageIO.SavePng(t.Seen!, file);
        }
        var entries = targets.Select(t => t.Entry with { Source = t.Entry.Source is null ? null : Path.GetFileName(t.Entry.Source) }).ToList();
        var ordered = results.OrderBy(r => targets.FindIndex(t => t.Entry.Id == r.Target)).ThenBy(r => r.Seed).ToList();
        var index = new InversionIndex(def.IsText ? "text" : "features", InversionIndex.CurrentFormat, DateTime.UtcNow, encoder,
            InversionSettingsEntry.From(settings), entries, ordered, wall);
        // Written whole, then renamed: a crash never leaves a half index for the resume to misread.
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(index, InversionIndex.Json));
        File.Move(path + ".tmp", path, overwrite: true);
        return index;
    }

    private static ResultRecord Draft(InversionIndex index, InversionSettings settings, CrossScores? cross, IImageEncoder encoder, double wall)
    {
        var r = index.Results;
        var sanity = new List<SanityCheck>
        {
            new("perturbation within the L2 ball", r.All(x => x.DeltaL2 <= settings.Radius + 1e-3), r.Max(x => x.DeltaL2), settings.Radius, "max ‖x − x_start‖₂ over all reconstructions"),
            new("final cosine not below the start", r.All(x => x.FinalCosine >= x.StartCosine - 1e-6), r.Min(x => x.FinalCosine - x.StartCosine), 0, "APGD keeps its best point: min(final − start) ≥ 0"),
        };
        return new ResultRecord
        {
            EncoderSha256 = "", DatasetVersion = "", ConfigKey = "",
            Metric = ResultMetrics.MeanCosine, N = r.Count, CleanValue = r.Average(x => x.FinalCosine), RobustValue = null,
            SanityPassed = sanity.All(s => s.Passed), SanityJson = JsonSerializer.Serialize(sanity, ResultWriter.Json),
            Splits = index.Targets.Select(t => (t, rows: r.Where(x => x.Target == t.Id).ToList())).Where(x => x.rows.Count > 0)
                .Select(x => new ResultSplit { Name = x.t.Id, N = x.rows.Count, CleanValue = x.rows.Average(y => y.FinalCosine) }).ToList(),
            FullJson = JsonSerializer.Serialize(new
            {
                index,
                mean_start_cosine = r.Average(x => x.StartCosine),
                mean_final_cosine = r.Average(x => x.FinalCosine),
                max_delta_l2 = r.Max(x => x.DeltaL2),
                cross_scores = cross,
            }, ResultWriter.Json),
            EngineVersion = Portal.Engine.EngineInfo.Version, Device = encoder.Device.ToString(), WallSeconds = wall,
        };
    }
}
