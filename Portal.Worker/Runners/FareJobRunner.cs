using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine;
using Portal.Engine.Checkpoints;
using Portal.Engine.Progress;
using Portal.Engine.Training;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Robustify;

namespace Portal.Worker.Runners;

/// <summary>
/// "Robustify (FARE)" jobs: the engine's <see cref="FareJob"/> fine-tunes the job's encoder on the image set, with its
/// resumable state in the job's own artifacts folder (a re-queued job continues from the last saved step). Progress is
/// step / loss / clean and adversarial embedding distance. The fine-tuned checkpoint is then registered like an upload
/// (stored by sha256, validated in the background) with the job's encoder as its parent.
/// </summary>
public sealed class FareJobRunner(
    IDbContextFactory<PortalDbContext> dbFactory, ModelFactory models, EncoderRegistry registry, DataPaths paths, IEvaluationHooks hooks,
    ILogger<FareJobRunner> log) : IJobRunner
{
    public IReadOnlyCollection<TaskKind> TaskKinds { get; } = [Portal.Data.Entities.TaskKind.Fare];

    public JobOutcome Run(JobRunContext c)
    {
        var clock = Stopwatch.StartNew();
        var parent = c.Encoder;
        if (parent.IsBuiltin || parent.StoragePath is null)
            throw new InvalidOperationException($"encoder {parent.Id} ({parent.DisplayName}) has no checkpoint to fine-tune");
        var (count, version) = FareImageSets.Describe(c.ImageSet.DatasetRoot);
        Datasets.DatasetVersionCheck.Ensure(c.ImageSet, version);

        var options = FareSettings.Options(c.Job.Config);
        var spec = new FareJobSpec(parent.StoragePath, c.ImageSet.DatasetRoot, c.ArtifactsDir, options) { Load = models.LoadOptions(parent), Resume = true };
        int? startStep = null;
        // The hooks see each finished step (tests stop a host mid-run there, as for evaluation items).
        var sink = new ProgressAdapter(c.Progress, s => startStep ??= s, step => hooks.AfterItemsStored(c.Job.Id, step, c.Cancellation));
        var r = FareJob.Run(spec, sink, c.Cancellation);

        var child = RegisterChild(c, r, options);
        log.LogInformation("FARE job {Job}: encoder {Parent} → {Child} ({Sha}), {Steps} steps", c.Job.Id, parent.Id, child.Id, r.ModelSha256[..12], r.Steps);
        var summary = new Dictionary<string, object?>
        {
            ["kind"] = Portal.Data.Entities.TaskKind.Fare.Key(),
            [FareResultJson.ChildKey] = child.Id,
            ["child_sha256"] = r.ModelSha256,
            ["parent_encoder_id"] = parent.Id,
            ["parent_sha256"] = r.ParentSha256,
            ["steps"] = r.Steps,
            ["resumed"] = r.Resumed,
            ["start_step"] = startStep ?? 0,
            ["final_loss"] = r.Last?.Loss,
            ["final_clean_distance"] = r.Last?.CleanDistance,
            ["final_adversarial_distance"] = r.Last?.AdversarialDistance,
            ["images"] = new { folder = c.ImageSet.DatasetRoot, count },
            ["options"] = options,
        };
        var result = new ResultRecord
        {
            EncoderSha256 = "", DatasetVersion = "", ConfigKey = "",
            // A FARE run has no accuracy: N = steps, the headline columns stay neutral and FARE image sets are no leaderboards.
            Metric = ResultMetrics.None, N = r.Steps, CleanValue = 0, RobustValue = null, SanityPassed = true,
            FullJson = JsonSerializer.Serialize(summary, ResultWriter.Json),
            EngineVersion = EngineInfo.Version, Device = models.Device.ToString(), WallSeconds = clock.Elapsed.TotalSeconds,
        };
        return new JobOutcome(result, Path.GetRelativePath(paths.Artifacts, c.ArtifactsDir).Replace('\\', '/'));
    }

    /// <summary>Stores the checkpoint under checkpoints/ by sha256 (like an upload), queues its validation, links it to the parent.</summary>
    private EncoderRecord RegisterChild(JobRunContext c, Portal.Engine.Training.FareJobResult r, FareOptions o)
    {
        var parent = c.Encoder;
        var temp = Path.Combine(paths.Uploads, $"upload-fare-{c.Job.Id}-{Guid.NewGuid():N}.tmp");
        File.Copy(r.ModelPath, temp, overwrite: true);
        var eps = (o.Eps * 255).ToString("0.##", CultureInfo.InvariantCulture);
        var meta = new EncoderMetadata
        {
            Name = $"{parent.DisplayName} + FARE {eps}/255",
            Family = parent.Family, Backbone = parent.Backbone, Architecture = parent.ArchitectureOverride, Submitter = parent.Submitter,
            Description = string.Create(CultureInfo.InvariantCulture,
                $"FARE fine-tune of encoder {parent.Id} ({parent.DisplayName}) by job {c.Job.Id}: ε {eps}/255, {r.Steps} steps, batch {o.BatchSize}, lr {o.LearningRate:G3}, {o.InnerSteps} PGD steps, images {c.ImageSet.DatasetRoot}"),
            PaperUrl = "https://arxiv.org/abs/2402.12336", LicenseUrl = parent.LicenseUrl, FileName = $"fare-job-{c.Job.Id}.safetensors",
            // FARE trains on ImageNet images without labels or judgements: the child learned no more perceptual data than its parent.
            TrainingData = parent.TrainingData,
        };
        var outcome = registry.RegisterReceivedFileAsync(temp, new FileInfo(temp).Length, r.ModelSha256, meta, CancellationToken.None).GetAwaiter().GetResult();
        using var db = dbFactory.CreateDbContext();
        var child = db.Encoders.Single(e => e.Id == outcome.Encoder.Id);
        if (child.Id != parent.Id && child.ParentEncoderId is null)
        {
            child.ParentEncoderId = parent.Id;
            db.SaveChanges();
        }
        return child;
    }

    /// <summary>The engine's FARE progress as job progress: done/total = steps, the distances in the phase text and in Extra.</summary>
    private sealed class ProgressAdapter(IProgress<EvaluationProgress> sink, Action<int> onStart, Action<int> afterStep) : IProgress<FareProgress>
    {
        public void Report(FareProgress p)
        {
            if (p.Phase is "starting" or "resuming")
            {
                onStart(p.Step);
                sink.Report(new EvaluationProgress(p.Step > 0 ? $"FARE resuming at step {p.Step}" : "FARE starting", p.Step, p.TotalSteps, null, null, null));
                return;
            }
            var phase = string.Create(CultureInfo.InvariantCulture,
                $"FARE step {p.Step}/{p.TotalSteps} · loss {p.Loss:G4} · clean dist {p.CleanDistance:G4} · adv dist {p.AdversarialDistance:G4}");
            sink.Report(new EvaluationProgress(phase, p.Step, p.TotalSteps, null, null, p.Eta, new Dictionary<string, double>
            {
                ["loss"] = p.Loss, ["clean_distance"] = p.CleanDistance, ["adversarial_distance"] = p.AdversarialDistance, ["learning_rate"] = p.LearningRate,
            }));
            afterStep(p.Step);
        }
    }
}
