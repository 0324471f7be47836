using Microsoft.Extensions.Options;
using Portal.Data.Entities;
using Portal.Engine.Encoders;
using Portal.Engine.Metric;
using Portal.Engine.Runtime;
using Portal.Web.Configuration;
using Portal.Web.Features.Encoders;

namespace Portal.Worker.Models;

/// <summary>Turns an encoder record into something the engine can evaluate: a built-in baseline or a loaded checkpoint.</summary>
public sealed class ModelFactory(IOptions<PortalOptions> options)
{
    public TorchSharp.torch.Device Device => Devices.Parse(options.Value.Worker.Device);

    public EncoderLoadOptions LoadOptions(EncoderRecord e) => new()
    {
        Architecture = e.ArchitectureOverride,
        AllowTorchScript = options.Value.AllowTorchScript || e.TorchScriptApproved,
        Device = Device,
        MlpHeadPath = e.MlpHeadPath,
        LoraPath = e.LoraPath,
    };

    public IPerceptualModel Create(EncoderRecord e)
    {
        if (e.StoragePath == null) throw new InvalidOperationException($"encoder {e.Id} ({e.DisplayName}) has no stored checkpoint (status {e.Status})");
        if (BuiltinModels.IsBuiltin(e.StoragePath)) return BuiltinModelFactory.Create(e.StoragePath, Device);
        return new EncoderMetric(EncoderLoader.Load(e.StoragePath, LoadOptions(e)), e.DisplayName);
    }
}
