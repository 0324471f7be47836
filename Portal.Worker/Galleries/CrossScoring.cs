using Microsoft.EntityFrameworkCore;
using Portal.Data;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Inversion;
using Portal.Web.Configuration;
using Portal.Web.Features.Galleries;
using Portal.Worker.Models;
using Portal.Worker.Runners;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Worker.Galleries;

/// <summary>Scores the Table VII cells a finished feature-inversion job adds (<see cref="CrossScores"/>).</summary>
public static class CrossScoring
{
    public static CrossScores Compute(IDbContextFactory<PortalDbContext> dbFactory, ModelFactory models, DataPaths paths, JobRunContext c,
        IImageEncoder self, InversionIndex own, IReadOnlyList<(string Id, string File)> originals)
    {
        var selfId = c.Encoder.Id;
        var ownDir = c.ArtifactsDir;
        using var selfOriginals = CrossScore.EmbedEach(self, originals.Select(o => ImageIO.Load(o.File)));   // once: self scores every row
        var cells = new List<CrossCell> { Score(self, selfOriginals, selfId, selfId, own, ownDir, originals) };
        List<(Data.Entities.EncoderRecord Encoder, string Dir)> others;
        using (var db = dbFactory.CreateDbContext())
        {
            others = db.Results.AsNoTracking().Include(r => r.Encoder)
                .Where(r => r.DatasetId == c.Gallery.Id && r.EncoderId != selfId && r.ArtifactsDir != null)
                .OrderByDescending(r => r.Id).ToList()
                .GroupBy(r => r.EncoderId).Select(g => g.First())
                .Where(r => r.Encoder is { IsBuiltin: false, StoragePath: not null } && File.Exists(r.Encoder.StoragePath))
                .Select(r => (r.Encoder!, Path.Combine(paths.Artifacts, r.ArtifactsDir!))).ToList();
        }
        foreach (var (other, dir) in others)
        {
            c.Cancellation.ThrowIfCancellationRequested();
            var indexPath = Path.Combine(dir, InversionIndex.FileName);
            if (!File.Exists(indexPath)) continue;
            var theirs = InversionIndex.Read(indexPath);
            using var enc = EncoderLoader.Load(other.StoragePath!, models.LoadOptions(other));
            using var otherOriginals = CrossScore.EmbedEach(enc, originals.Select(o => ImageIO.Load(o.File)));
            cells.Add(Score(enc, otherOriginals, selfId, other.Id, own, ownDir, originals));
            cells.Add(Score(self, selfOriginals, other.Id, selfId, theirs, dir, originals));
        }
        return new CrossScores(c.Gallery.Id, cells);
    }

    /// <param name="embedded">The scorer's embeddings of <paramref name="originals"/>, in their order.</param>
    private static CrossCell Score(IImageEncoder scorer, Tensor embedded, int reconstructedBy, int scoredBy, InversionIndex index, string folder,
        IReadOnlyList<(string Id, string File)> originals)
    {
        using var scope = torch.NewDisposeScope();
        var target = originals.Select((o, i) => (o.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
        var reconstructions = index.Results.Where(r => target.ContainsKey(r.Target))
            .Select(r => (target[r.Target], ImageIO.Load(Path.Combine(folder, r.Image)))).ToList();
        var scores = CrossScore.PerTarget(scorer, embedded, reconstructions);
        var perTarget = originals.Select((o, i) => (o.Id, Score: scores[i])).Where(x => !double.IsNaN(x.Score)).ToDictionary(x => x.Id, x => x.Score);
        return new CrossCell(reconstructedBy, scoredBy, perTarget.Count > 0 ? perTarget.Values.Average() : double.NaN, perTarget);
    }
}
