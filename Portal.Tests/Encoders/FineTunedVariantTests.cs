using System.Text.Json;
using Portal.Engine.Checkpoints;
using Portal.Engine.Encoders;
using Portal.Engine.Encoders.Native;
using Portal.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Tests.Encoders;

/// <summary>DreamSim MLP head and PEFT LoRA adapters, checked against hand computations on generated files.</summary>
public class FineTunedVariantTests
{
    private const string ConvNext = "openclip-convnext-mini";
    private const string Vit = "openclip-vit-b32-mini";

    private static float[] Row(Tensor t) => t.cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    [Fact]
    public void Mlp_head_is_fc2_relu_fc1_plus_input()
    {
        using var dir = new FixturePaths.TempDir();
        torch.manual_seed(3);
        const int d = 32, h = 8;
        var w1 = torch.randn(h, d) * 0.3f; var b1 = torch.randn(h) * 0.1f;
        var w2 = torch.randn(d, h) * 0.3f; var b2 = torch.randn(d) * 0.1f;
        var headPath = dir.File("mlp.safetensors");
        SafeTensors.Save(headPath, [new("mlp.fc1.weight", w1), new("mlp.fc1.bias", b1), new("mlp.fc2.weight", w2), new("mlp.fc2.bias", b2)]);

        var ckpt = EncoderFixtures.File(ConvNext, "model.safetensors");
        using var plain = EncoderLoader.Load(ckpt);
        using var tuned = EncoderLoader.Load(ckpt, new EncoderLoadOptions { MlpHeadPath = headPath });
        Assert.Equal(ResizeMode.Squash, tuned.Info.Preprocessing.Mode);
        Assert.Equal(224, tuned.Info.Preprocessing.ImageWidth);
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var x = EncoderFixtures.Images(ConvNext)[..1];
        var e = Row(plain.Forward(x));
        var got = Row(tuned.Forward(x));

        float[] W1 = Row(w1), B1 = Row(b1), W2 = Row(w2), B2 = Row(b2);
        var hidden = new double[h];
        for (int i = 0; i < h; i++) { double s = B1[i]; for (int j = 0; j < d; j++) s += W1[i * d + j] * (double)e[j]; hidden[i] = Math.Max(0, s); }
        for (int k = 0; k < d; k++)
        {
            double s = B2[k] + e[k];
            for (int i = 0; i < h; i++) s += W2[k * h + i] * hidden[i];
            Assert.True(Math.Abs(s - got[k]) <= 1e-4 * (1 + Math.Abs(s)), $"dim {k}: hand {s}, engine {got[k]}");
        }
    }

    [Fact]
    public void Mlp_head_of_the_wrong_size_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var headPath = dir.File("mlp.safetensors");
        SafeTensors.Save(headPath, [new("fc1.weight", torch.zeros(8, 64)), new("fc1.bias", torch.zeros(8)), new("fc2.weight", torch.zeros(64, 8)), new("fc2.bias", torch.zeros(64))]);
        var e = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(EncoderFixtures.File(ConvNext, "model.safetensors"), new EncoderLoadOptions { MlpHeadPath = headPath }));
        Assert.Contains("embedding dimension 32", e.Message);
    }

    private static void WriteAdapter(string folder, object config, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"), JsonSerializer.Serialize(config));
        SafeTensors.Save(Path.Combine(folder, "adapter_model.safetensors"), tensors);
    }

    [Fact]
    public void Lora_is_merged_as_w_plus_alpha_over_r_b_a_including_peft_alias_paths()
    {
        using var dir = new FixturePaths.TempDir();
        torch.manual_seed(5);
        const int r = 4; const double alpha = 0.5;
        var a = torch.randn(r, 16); var b = torch.randn(64, r);  // stage 0 block 0 fc1: [64, 16]
        var adapter = dir.File("lora");
        const string module = "trunk.stages.0.blocks.0.mlp.fc1";
        WriteAdapter(adapter, new { peft_type = "LORA", r, lora_alpha = alpha, target_modules = new[] { "fc1", "fc2" } },
        [
            new($"base_model.model.model.{module}.lora_A.weight", a),
            new($"base_model.model.model.{module}.lora_B.weight", b),
            // DreamSim's ViTModel also exposes trunk.stages as `blocks`: the same adapter under a second name.
            new("base_model.model.blocks.0.blocks.0.mlp.fc1.lora_A.weight", a),
            new("base_model.model.blocks.0.blocks.0.mlp.fc1.lora_B.weight", b),
        ]);
        var ckpt = EncoderFixtures.File(ConvNext, "model.safetensors");
        using var plain = (NativeEncoder)EncoderLoader.Load(ckpt);
        using var tuned = (NativeEncoder)EncoderLoader.Load(ckpt, new EncoderLoadOptions { LoraPath = adapter });
        Assert.StartsWith("1 modules merged, r=4, alpha=0.5", tuned.Info.Details["lora"]);

        var before = Row(plain.Tower.named_parameters().Single(p => p.name == module + ".weight").parameter);
        var after = Row(tuned.Tower.named_parameters().Single(p => p.name == module + ".weight").parameter);
        float[] A = Row(a), B = Row(b);
        for (int o = 0; o < 64; o++)
            for (int i = 0; i < 16; i++)
            {
                double delta = 0;
                for (int k = 0; k < r; k++) delta += B[o * r + k] * (double)A[k * 16 + i];
                double expected = before[o * 16 + i] + alpha / r * delta;
                Assert.True(Math.Abs(expected - after[o * 16 + i]) <= 1e-5 * (1 + Math.Abs(expected)), $"[{o},{i}] hand {expected}, merged {after[o * 16 + i]}");
            }
        // Other weights untouched.
        var otherName = "trunk.stages.0.blocks.0.mlp.fc2.weight";
        Assert.True(plain.Tower.named_parameters().Single(p => p.name == otherName).parameter
            .equal(tuned.Tower.named_parameters().Single(p => p.name == otherName).parameter).all().item<bool>());
    }

    [Fact]
    public void Lora_on_dino_named_qkv_lands_on_openclip_in_proj()
    {
        using var dir = new FixturePaths.TempDir();
        torch.manual_seed(6);
        var a = torch.randn(2, 64); var b = torch.randn(192, 2);
        var adapter = dir.File("lora");
        WriteAdapter(adapter, new { r = 2, lora_alpha = 4, target_modules = new[] { "qkv" } },
            [new("base_model.model.model.blocks.1.attn.qkv.lora_A.weight", a), new("base_model.model.model.blocks.1.attn.qkv.lora_B.weight", b)]);
        var ckpt = EncoderFixtures.File(Vit, "model.safetensors");
        using var plain = (NativeEncoder)EncoderLoader.Load(ckpt);
        using var tuned = (NativeEncoder)EncoderLoader.Load(ckpt, new EncoderLoadOptions { LoraPath = adapter });
        const string target = "transformer.resblocks.1.attn.in_proj_weight";
        using var diff = tuned.Tower.named_parameters().Single(p => p.name == target).parameter - plain.Tower.named_parameters().Single(p => p.name == target).parameter;
        using var expected = b.matmul(a) * 2.0f;
        Assert.True(diff.allclose(expected, 1e-4, 1e-4));
    }

    [Fact]
    public void Lora_for_another_model_or_outside_target_modules_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var ckpt = EncoderFixtures.File(ConvNext, "model.safetensors");
        var stray = dir.File("stray");
        WriteAdapter(stray, new { r = 2, lora_alpha = 2, target_modules = new[] { "q_proj" } },
            [new("base_model.model.encoder.layers.0.q_proj.lora_A.weight", torch.zeros(2, 16)), new("base_model.model.encoder.layers.0.q_proj.lora_B.weight", torch.zeros(16, 2))]);
        var e = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(ckpt, new EncoderLoadOptions { LoraPath = stray }));
        Assert.Contains("encoder.layers.0.q_proj", e.Message);

        var untargeted = dir.File("untargeted");
        WriteAdapter(untargeted, new { r = 2, lora_alpha = 2, target_modules = new[] { "fc2" } },
            [new("base_model.model.model.trunk.stages.0.blocks.0.mlp.fc1.lora_A.weight", torch.zeros(2, 16)), new("base_model.model.model.trunk.stages.0.blocks.0.mlp.fc1.lora_B.weight", torch.zeros(64, 2))]);
        var t = Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(ckpt, new EncoderLoadOptions { LoraPath = untargeted }));
        Assert.Contains("target_modules", t.Message);

        var noConfig = dir.File("empty");
        Directory.CreateDirectory(noConfig);
        Assert.Contains("adapter_config.json", Assert.Throws<EncoderLoadException>(() => EncoderLoader.Load(ckpt, new EncoderLoadOptions { LoraPath = noConfig })).Message);
    }
}
