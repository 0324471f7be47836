using System.Text.Json;
using Portal.Engine.Encoders.Native;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Encoders;

/// <summary>Each full-size manifest (the real released key list) detects to the right size and builds a tower whose parameters match it one to one.</summary>
public class ManifestTests
{
    public static TheoryData<string, string> Manifests => new()
    {
        { "openclip-convnext_base_w.json", "ConvNeXt dims 128/256/512/1024 depths 3/3/27/3" },
        { "openclip-ViT-B-32.json", "ViT-B/32" },
        { "openclip-ViT-B-16.json", "ViT-B/16" },
        { "dino-vit_base-patch16.json", "ViT-B/16" },
        { "dinov2-vit_base-patch14.json", "ViT-B/14" },
        { "dinov2-vit_base-patch14-reg4.json", "ViT-B/14 reg4" },
    };

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Tower_parameters_match_the_manifest_one_to_one(string manifest, string size)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(FixturePaths.Manifest(manifest)));
        var entries = doc.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (e.GetProperty("key").GetString()!, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .ToList();
        var visual = ArchitectureDetector.SelectVisual(entries);
        var spec = ArchitectureDetector.Detect(visual);
        Assert.Equal(size, spec.SizeName);

        using var tower = NativeTower.Build(spec, Place());
        var built = tower.named_parameters().ToDictionary(p => visual.Prefix + p.name, p => p.parameter.shape);
        var expected = entries.Where(e => e.Item1.StartsWith(visual.Prefix, StringComparison.Ordinal)).ToDictionary(e => e.Item1, e => e.Item2);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), built.Keys.Order(StringComparer.Ordinal));
        foreach (var (k, shape) in expected) Assert.True(shape.SequenceEqual(built[k]), $"{k}: manifest [{string.Join(",", shape)}], built [{string.Join(",", built[k])}]");
        Assert.Equal(entries.Count - expected.Count, visual.IgnoredTextKeys);
        if (spec.Family is ArchitectureFamily.DinoVit or ArchitectureFamily.Dinov2Vit) Assert.Equal(doc.RootElement.GetProperty("num_params").GetInt64(), tower.parameters().Sum(p => p.numel()));
    }

    /// <summary>The meta device holds shapes without memory; a plain (uninitialised) CPU tower where a build lacks it.</summary>
    private static TensorPlace Place()
    {
        try
        {
            using var probe = torch.empty([1], ScalarType.Float32, torch.device("meta"));
            return new TensorPlace(torch.device("meta"), ScalarType.Float32);
        }
        catch (Exception) { return TensorPlace.Cpu; }
    }
}
