using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Data.Entities;
using Portal.Engine.Checkpoints;
using Portal.Engine.Demo.World;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Encoders;

/// <summary>
/// The two shipped demo encoders (Portal.Engine/Demo/Weights, see docs/fare-and-demo.md, “Demo world (Portal.Engine/Demo/World)”): registered once, like uploads (stored
/// by sha256 under checkpoints/, validated in the background), the FARE one linked to the clean one as its parent.
/// Every demo (2AFC, retrieval/detection, galleries) registers through here; registering again returns the same records.
/// </summary>
public sealed class DemoEncoders(
    IDbContextFactory<PortalDbContext> dbFactory, DataPaths paths, EncoderRegistry encoders, ILogger<DemoEncoders> log)
{
    public const string CleanName = "Demo ConvNeXt (clean)", FareName = "Demo ConvNeXt (FARE)";
    /// <summary>Both demo encoders learned scene classes (and FARE's unlabeled images), never a similarity judgement.</summary>
    public const string TrainingData = "zero-shot";

    public async Task<(EncoderRecord Clean, EncoderRecord Fare)> RegisterAsync(CancellationToken ct)
    {
        var clean = await RegisterShipped(DemoWeights.CleanFile, new EncoderMetadata
        {
            Name = CleanName, Family = "demo", Backbone = "convnext-demo", Submitter = "portal", TrainingData = TrainingData,
            Description = "Tiny ConvNeXt (0.1 M parameters, 64×64) trained by the portal's own code to classify demo-world scenes; shipped weights, reproducible with `portal demo train`",
        }, ct);
        var fare = await RegisterShipped(DemoWeights.FareFile, new EncoderMetadata
        {
            Name = FareName, Family = "demo", Backbone = "convnext-demo", Submitter = "portal", PaperUrl = "https://arxiv.org/abs/2402.12336", TrainingData = TrainingData,
            Description = "The clean demo encoder after FARE adversarial fine-tuning (ε 4/255) on demo-world images; shipped weights",
        }, ct);
        if (fare.ParentEncoderId is null)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.Encoders.Where(e => e.Id == fare.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.ParentEncoderId, clean.Id), ct);
            fare.ParentEncoderId = clean.Id;
        }
        return (clean, fare);
    }

    private async Task<EncoderRecord> RegisterShipped(string file, EncoderMetadata meta, CancellationToken ct)
    {
        var tmp = Path.Combine(paths.Uploads, $"demo-{Guid.NewGuid():N}.tmp");
        await using (var src = DemoWeights.Open(file))
        await using (var dst = File.Create(tmp)) await src.CopyToAsync(dst, ct);
        return (await encoders.RegisterReceivedFileAsync(tmp, new FileInfo(tmp).Length, FileHash.Sha256(tmp), meta with { FileName = file }, ct)).Encoder;
    }

    /// <summary>
    /// Waits (in the background) until the encoders leave validation, then runs <paramref name="queue"/> for each ready
    /// one; a rejected demo encoder is logged with its reason.
    /// </summary>
    public void WhenReady(IReadOnlyList<int> encoderIds, Func<EncoderRecord, Task> queue, string what) => _ = Task.Run(async () =>
    {
        var until = DateTime.UtcNow.AddMinutes(10);
        var pending = encoderIds.ToList();
        try
        {
            while (pending.Count > 0 && DateTime.UtcNow < until)
            {
                await using (var db = await dbFactory.CreateDbContextAsync())
                    foreach (var id in pending.ToList())
                    {
                        var e = await db.Encoders.AsNoTracking().SingleAsync(x => x.Id == id);
                        if (e.Status == EncoderStatus.Validating) continue;
                        pending.Remove(id);
                        if (e.Status == EncoderStatus.Ready) await queue(e);
                        else log.LogWarning("demo encoder {Name} is {Status}: {Reason}", e.DisplayName, e.Status, e.RejectReason);
                    }
                if (pending.Count > 0) await Task.Delay(200);
            }
            if (pending.Count > 0) log.LogWarning("demo encoders {Ids} still validating after 10 minutes; {What} not queued", string.Join(", ", pending), what);
        }
        catch (Exception e)
        {
            log.LogError(e, "could not queue {What}: {Message}", what, e.Message);
        }
    });
}
