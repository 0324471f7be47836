using Portal.Data.Entities;
using Portal.Engine.Checkpoints;
using Portal.Engine.Demo.World;
using Portal.Web.Configuration;
using Portal.Web.Encoders;

namespace Portal.Web.Demo;

/// <summary>
/// The two demo encoders shipped inside the engine (tiny ConvNeXt trained on the demo world, and its FARE version;
/// see the README's FARE section), registered once like an upload (copied into the checkpoints folder and validated in
/// the background) for every demo that uses them: 2AFC, retrieval/detection, galleries.
/// </summary>
public sealed class DemoEncoders(DataPaths paths, EncoderRegistry encoders)
{
    public const string CleanName = "Demo ConvNeXt (clean)";
    public const string FareName = "Demo ConvNeXt (FARE)";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private (EncoderRecord Clean, EncoderRecord Fare)? _registered;

    public async Task<(EncoderRecord Clean, EncoderRecord Fare)> RegisterAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return _registered ??= (
                await RegisterShipped(DemoTraining.CleanFile, new EncoderMetadata
                {
                    Name = CleanName, Family = "demo", Backbone = "ConvNeXt (tiny, 64×64)", Submitter = "portal",
                    Description = "Demo encoder trained on the procedural demo world (shipped with the portal; not a real CLIP model)",
                }, ct),
                await RegisterShipped(DemoTraining.FareFile, new EncoderMetadata
                {
                    Name = FareName, Family = "demo", Backbone = "ConvNeXt (tiny, 64×64)", Submitter = "portal",
                    Description = "The clean demo encoder after FARE adversarial fine-tuning (shipped with the portal)",
                }, ct));
        }
        finally { _gate.Release(); }
    }

    private async Task<EncoderRecord> RegisterShipped(string file, EncoderMetadata meta, CancellationToken ct)
    {
        var tmp = Path.Combine(paths.Uploads, $"demo-{Guid.NewGuid():N}.tmp");
        await using (var src = DemoWeights.Open(file))
        await using (var dst = File.Create(tmp)) await src.CopyToAsync(dst, ct);
        var outcome = await encoders.RegisterReceivedFileAsync(tmp, new FileInfo(tmp).Length, FileHash.Sha256(tmp), meta with { FileName = file }, ct);
        return outcome.Encoder;
    }
}
