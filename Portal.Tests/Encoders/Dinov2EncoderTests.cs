using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using Portal.Tests.Checkpoints;
using Portal.Tests.Support;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Portal.Tests.Encoders;

/// <summary>
/// DINOv2 specifics the generic parity tests do not pin: each variant's position resampling against the reference
/// (and that the other variant's setting would fail), detection against DINO v1, the ignored mask token, the
/// torch.save file, the training code's key layouts, and the patch-multiple input rule.
/// </summary>
public class Dinov2EncoderTests(ITestOutputHelper output)
{
    private const string Plain = "dinov2-vitb14-mini", Reg = "dinov2-vitb14-reg-mini";

    public static TheoryData<string> Cases => new([Plain, Reg]);

    private static NativeEncoder Load(string caseName, string file = "model.safetensors") =>
        (NativeEncoder)EncoderLoader.Load(EncoderFixtures.File(caseName, file));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Position_embedding_is_resampled_like_the_hub_variant(string caseName)
    {
        using var encoder = Load(caseName);
        using var debug = SafeTensors.Load(EncoderFixtures.File(caseName, "debug.safetensors"));
        using var model = SafeTensors.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        var tower = (Dinov2VitTower)encoder.Tower;
        using var scope = torch.NewDisposeScope();
        foreach (var (h, w, name) in new[] { (56L, 56L, "interpolated_pos_embed_56x56"), (70L, 112L, "alt.interpolated_pos_embed_70x112") })
        {
            var err = EncoderFixtures.RelativeError(tower.PositionEmbedding(h, w), debug[name]);
            output.WriteLine($"{caseName} {name}: max rel err {err:E2}");
            Assert.True(err <= EncoderFixtures.Tolerance, $"{caseName} {name}: relative error {err:E2}");
        }
        // The native 98×98 grid is the table itself; 224 (the eval size) upsamples 7×7 to 16×16.
        Assert.True(tower.PositionEmbedding(98, 98).equal(model["pos_embed"]).all().item<bool>());
        Assert.Equal(new long[] { 1, 1 + 16 * 16, 64 }, tower.PositionEmbedding(224, 224).shape);

        // The checkpoint does not say which resampling it needs: the other variant's setting is a real error.
        var spec = (Dinov2VitSpec)tower.Spec;
        var swapped = Dinov2PositionEmbedding.Resample(model["pos_embed"], spec.Grid, 5, 8, !spec.InterpolateAntialias, spec.InterpolateOffset > 0 ? 0.0 : 0.1);
        var swappedErr = EncoderFixtures.RelativeError(swapped, debug["alt.interpolated_pos_embed_70x112"]);
        Assert.True(swappedErr > 100 * EncoderFixtures.Tolerance, $"{caseName}: the other variant's resampling is only {swappedErr:E2} off");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Measured_errors_of_every_reference_tensor_are_within_tolerance(string caseName)
    {
        using var encoder = Load(caseName);
        using var expected = SafeTensors.Load(EncoderFixtures.File(caseName, "expected.safetensors"));
        using var debug = SafeTensors.Load(EncoderFixtures.File(caseName, "debug.safetensors"));
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var results = new Dictionary<string, double>
        {
            ["embeddings"] = EncoderFixtures.RelativeError(encoder.Forward(EncoderFixtures.Images(caseName)), expected["embeddings"]),
            ["embeddings_alt"] = EncoderFixtures.RelativeError(encoder.Forward(EncoderFixtures.Images(caseName, "inputs_alt")), expected["embeddings_alt"]),
            ["embeddings_normalized"] = EncoderFixtures.RelativeError(
                nn.functional.normalize(encoder.Forward(EncoderFixtures.Images(caseName)), dim: -1), expected["embeddings_normalized"]),
        };
        var trace = ((Dinov2VitTower)encoder.Tower).Trace(encoder.Normalize(EncoderFixtures.Images(caseName)[..1]));
        foreach (var (name, value) in trace.Where(kv => debug.Contains(kv.Key)))
            results[name] = EncoderFixtures.RelativeError(value, debug[name]);
        foreach (var (name, err) in results) output.WriteLine($"{caseName} {name}: max abs err / max abs ref {err:E2}");
        output.WriteLine($"{caseName} embeddings: max abs err {MaxAbs(encoder.Forward(EncoderFixtures.Images(caseName)), expected["embeddings"]):E2}, " +
                         $"embeddings_alt: max abs err {MaxAbs(encoder.Forward(EncoderFixtures.Images(caseName, "inputs_alt")), expected["embeddings_alt"]):E2}");
        Assert.Equal(9, results.Count - 3); // patch_embed, prepare_tokens, 4 branches, blocks.0/1, norm
        Assert.All(results, r => Assert.True(r.Value <= EncoderFixtures.Tolerance, $"{caseName} {r.Key}: relative error {r.Value:E2}"));
    }

    [Fact]
    public void Detector_tells_dino_v1_dinov2_and_dinov2_with_registers_apart()
    {
        var v1 = DetectCase("dino-vitb16-mini");
        Assert.IsType<DinoVitSpec>(v1);
        var plain = Assert.IsType<Dinov2VitSpec>(DetectCase(Plain));
        Assert.Equal((0, false, 0.1, 14, 7, 2, 2), (plain.Registers, plain.InterpolateAntialias, plain.InterpolateOffset, plain.PatchSize, plain.Grid, plain.Depth, plain.Heads));
        Assert.Equal(ArchitectureFamily.Dinov2Vit, plain.Family);
        var reg = Assert.IsType<Dinov2VitSpec>(DetectCase(Reg));
        Assert.Equal((4, true, 0.0), (reg.Registers, reg.InterpolateAntialias, reg.InterpolateOffset));
        Assert.Equal("ViT dim 64 depth 2 reg4", reg.SizeName);
        // Full-size names, and the recipe dinov2's eval uses whatever the table size: Resize 256 → CenterCrop 224, ImageNet.
        Assert.Equal("ViT-B/14", KnownSpecs.Dinov2VitB14.SizeName);
        Assert.Equal(518, KnownSpecs.Dinov2VitB14.NativeImageSize);
        var recipe = Recipes.Default(KnownSpecs.Dinov2VitB14Reg4);
        Assert.Equal((256, 224, ResizeMode.ShorterSideCrop), (recipe.ResizeTo, recipe.ImageHeight, recipe.Mode));
        Assert.Equal(Preprocessing.ImageNetMean, recipe.Mean);
        Assert.Equal(Preprocessing.ImageNetStd, recipe.Std);
    }

    [Fact]
    public void Released_manifests_detect_as_the_specs_the_benchmarks_build()
    {
        Assert.Equal(KnownSpecs.Dinov2VitB14, DetectManifest("dinov2-vit_base-patch14.json"));
        Assert.Equal(KnownSpecs.Dinov2VitB14Reg4, DetectManifest("dinov2-vit_base-patch14-reg4.json"));
        var bench = RandomEncoders.All.Where(a => a.Name.StartsWith("dinov2", StringComparison.Ordinal)).ToDictionary(a => a.Name, a => a.Spec());
        Assert.Equal(KnownSpecs.Dinov2VitB14, bench["dinov2-vitb14"]);
        Assert.Equal(KnownSpecs.Dinov2VitB14Reg4, bench["dinov2-vitb14-reg4"]);
    }

    private static ArchitectureSpec DetectManifest(string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(FixturePaths.Manifest(name)));
        var entries = doc.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (e.GetProperty("key").GetString()!, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()));
        return ArchitectureDetector.Detect(ArchitectureDetector.SelectVisual(entries));
    }

    private static double MaxAbs(Tensor got, Tensor expected) =>
        (got.to_type(ScalarType.Float64) - expected.to_type(ScalarType.Float64)).abs().max().item<double>();

    private static ArchitectureSpec DetectCase(string caseName)
    {
        using var sd = SafeTensors.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        return ArchitectureDetector.Detect(ArchitectureDetector.SelectVisual(sd.Keys.Select(k => (k, sd[k].shape))));
    }

    [Fact]
    public void Mask_token_is_bound_but_does_not_change_the_embedding()
    {
        using var dir = new FixturePaths.TempDir();
        var path = Rewrite(dir, Plain, l => l.Select(kv => kv.Key == "mask_token" ? new KeyValuePair<string, Tensor>(kv.Key, torch.full(kv.Value.shape, 50f)) : kv).ToList());
        using var original = Load(Plain);
        using var edited = EncoderLoader.Load(path);
        Assert.Empty(edited.Info.MissingKeys);
        Assert.Empty(edited.Info.UnexpectedKeys);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = EncoderFixtures.Images(Plain, "inputs_alt");
        Assert.True(original.Forward(x).equal(edited.Forward(x)).all().item<bool>());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Torch_save_of_the_state_dict_gives_the_same_weights(string caseName)
    {
        using var st = Load(caseName);
        using var bin = Load(caseName, "model.bin");
        Assert.Equal("pytorch-zip", bin.Info.Format);
        var pb = bin.Tower.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(st.Tower.named_parameters().Count(), pb.Count);
        foreach (var (n, p) in st.Tower.named_parameters()) Assert.True(p.equal(pb[n]).all().item<bool>(), $"{n} differs between model.bin and model.safetensors");
    }

    [Fact]
    public void Training_checkpoint_with_flat_teacher_keys_and_chunked_blocks_loads_the_teacher_backbone()
    {
        using var dir = new FixturePaths.TempDir();
        // SSLMetaArch's state dict: teacher/student backbones with block_chunks (here 1 block per chunk: blocks.c.c), plus heads.
        var path = Rewrite(dir, Reg, l =>
        {
            var chunked = l.Select(kv => new KeyValuePair<string, Tensor>(Chunked(kv.Key), kv.Value)).ToList();
            return
            [
                .. chunked.Select(kv => new KeyValuePair<string, Tensor>("student.backbone." + kv.Key, kv.Value + 1)),
                .. chunked.Select(kv => new KeyValuePair<string, Tensor>("teacher.backbone." + kv.Key, kv.Value)),
                new("teacher.dino_head.last_layer.weight_g", torch.ones(1, 8)),
                new("teacher.ibot_head.mlp.0.weight", torch.ones(8, 64)),
            ];
        });
        using var original = Load(Reg);
        using var training = (NativeEncoder)EncoderLoader.Load(path);
        var spec = Assert.IsType<Dinov2VitSpec>(training.Tower.Spec);
        Assert.Equal((1, 4), (spec.BlockChunkSize, spec.Registers));
        Assert.Contains("chunked", training.Info.Details["block_layout"]);
        Assert.Empty(training.Info.MissingKeys);
        Assert.Empty(training.Info.UnexpectedKeys);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = EncoderFixtures.Images(Reg);
        Assert.True(original.Forward(x).equal(training.Forward(x)).all().item<bool>(), "the teacher backbone was not the one loaded");
    }

    private static string Chunked(string key)
    {
        var m = System.Text.RegularExpressions.Regex.Match(key, @"^blocks\.(\d+)\.(.*)$");
        return m.Success ? $"blocks.{m.Groups[1].Value}.{m.Groups[1].Value}.{m.Groups[2].Value}" : key;
    }

    [Fact]
    public void Teacher_wrapper_from_torch_save_is_unwrapped_as_for_dino()
    {
        using var dir = new FixturePaths.TempDir();
        using var sd = SafeTensors.Load(EncoderFixtures.File(Plain, "model.safetensors"));
        // {"teacher": {"backbone.<key>": tensor, "dino_head.…": tensor}, "iteration": 7}, as dinov2's teacher_checkpoint.pth.
        var p = new PickleBuilder().Proto().EmptyDict().Mark().Str("teacher").EmptyDict().Mark();
        var storages = new Dictionary<string, byte[]>();
        foreach (var (key, i) in sd.Keys.Append("dino_head.last_layer.weight").Select((k, i) => (k, i)))
        {
            using var t = sd.Contains(key) ? sd[key].contiguous() : torch.ones(2, 3);
            var shape = t.shape;
            var stride = Enumerable.Range(0, shape.Length).Select(d => shape.Skip(d + 1).Aggregate(1L, (a, b) => a * b)).ToArray();
            storages[i.ToString()] = t.data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray();
            p.Str((key.StartsWith("dino_head") ? "" : "backbone.") + key).Tensor("FloatStorage", i.ToString(), t.numel(), 0, shape, stride);
        }
        p.SetItems().Str("iteration").Int(7).SetItems();
        var path = dir.File("teacher_checkpoint.pth");
        TorchZipWriter.Write(path, p.Stop().ToArray(), storages);

        using var original = Load(Plain);
        using var wrapped = (NativeEncoder)EncoderLoader.Load(path);
        Assert.Empty(wrapped.Info.MissingKeys);
        Assert.Empty(wrapped.Info.UnexpectedKeys);
        var pw = wrapped.Tower.named_parameters().ToDictionary(q => q.name, q => q.parameter);
        foreach (var (n, q) in original.Tower.named_parameters()) Assert.True(q.equal(pw[n]).all().item<bool>(), $"{n} differs");
    }

    [Fact]
    public void Inputs_must_be_multiples_of_the_patch_size()
    {
        using var encoder = Load(Plain);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var e = Assert.Throws<ArgumentException>(() => encoder.Forward(torch.rand(1, 3, 100, 98)));
        Assert.Contains("multiples of 14", e.Message);
        Assert.Contains("100×98", e.Message);
        var y = encoder.Forward(torch.rand(2, 3, 224, 224, generator: new Generator(3)));
        Assert.Equal(new long[] { 2, 64 }, y.shape);
        Assert.True(y.isfinite().all().item<bool>());
    }

    [Fact]
    public void Swiglu_and_missing_layer_scale_are_refused_by_name()
    {
        using var dir = new FixturePaths.TempDir();
        var swiglu = Rewrite(dir, Plain, l => l.Select(kv => new KeyValuePair<string, Tensor>(kv.Key.Replace("mlp.fc1", "mlp.w12"), kv.Value)).ToList());
        Assert.Contains("SwiGLU", Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(swiglu)).Message);
        var noScale = Rewrite(dir, Plain, l => l.Where(kv => !kv.Key.Contains(".ls")).ToList());
        Assert.Contains("blocks.0.ls1.gamma", Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(noScale)).Message);
    }

    private static string Rewrite(FixturePaths.TempDir dir, string caseName, Func<List<KeyValuePair<string, Tensor>>, List<KeyValuePair<string, Tensor>>> edit)
    {
        using var sd = SafeTensors.Load(EncoderFixtures.File(caseName, "model.safetensors"));
        var list = edit(sd.Keys.Select(k => new KeyValuePair<string, Tensor>(k, sd[k])).ToList());
        var path = dir.File(Guid.NewGuid().ToString("N")[..8] + ".safetensors");
        SafeTensors.Save(path, list);
        return path;
    }
}
