using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Engine.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Portal.Engine.Encoders.Native;

/// <summary>What a merged PEFT LoRA adapter contained.</summary>
public sealed record LoraReport(int MergedModules, int Rank, double Alpha, double Scale, IReadOnlyList<string> Targets);

/// <summary>
/// Merges a PEFT LoRA adapter (adapter_config.json + adapter_model.safetensors|bin) into a tower's weights at
/// load time: W += (lora_alpha / r)·B·A (or alpha/√r with use_rslora). Adapter module paths are matched to the
/// tower by their longest dotted suffix (PEFT saves them under wrappers such as `base_model.model.model.`);
/// DINO-style names (blocks.N.attn.qkv, mlp.fc1 …) map onto OpenCLIP ViT blocks, as the perceptual-metrics
/// paper trains its ViT adapters on a DINO-named copy. The same adapter reached through two module aliases
/// (DreamSim's ViTModel also exposes `blocks`) is merged once.
/// </summary>
public static partial class LoraMerge
{
    public static LoraReport Merge(NativeTower tower, string folder)
    {
        if (!Directory.Exists(folder)) throw new EncoderLoadException($"LoRA adapter folder not found: {folder}");
        var configPath = Path.Combine(folder, "adapter_config.json");
        if (!File.Exists(configPath)) throw new EncoderLoadException($"{folder}: no adapter_config.json (expected a PEFT LoRA adapter)");
        var config = ReadConfig(configPath);
        var weightsPath = new[] { "adapter_model.safetensors", "adapter_model.bin" }.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists)
            ?? throw new EncoderLoadException($"{folder}: no adapter_model.safetensors or adapter_model.bin");

        using var sd = CheckpointLoader.Load(weightsPath);
        var pairs = Pairs(sd, weightsPath);
        var parameters = tower.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var merged = new Dictionary<string, (Tensor A, Tensor B)>(StringComparer.Ordinal);
        var unresolved = new List<string>();
        foreach (var (module, a, b) in pairs)
        {
            if (!config.Targets(module))
                throw new EncoderLoadException($"{weightsPath}: adapter module '{module}' is not covered by target_modules in adapter_config.json");
            var target = Resolve(module, parameters, tower.Spec);
            if (target is null) { unresolved.Add(module); continue; }
            if (merged.TryGetValue(target, out var prev))
            {
                if (!Same(prev.A, a) || !Same(prev.B, b))
                    throw new EncoderLoadException($"{weightsPath}: two different adapters map to '{target}' ('{module}')");
                continue;
            }
            merged[target] = (a, b);
        }
        // Alias paths (same tensors as a resolved adapter) are harmless; anything else is an adapter for another model.
        var stray = unresolved.Where(m => !pairs.Any(p => p.Module == m && merged.Values.Any(v => Same(v.A, p.A) && Same(v.B, p.B)))).ToList();
        if (stray.Count > 0)
            throw new EncoderLoadException($"{weightsPath}: {stray.Count} adapter module(s) match no layer of {tower.Spec.SizeName}: {string.Join(", ", stray.Take(5))}");
        if (merged.Count == 0) throw new EncoderLoadException($"{weightsPath}: adapter contains no lora_A/lora_B weights");

        int rank = (int)merged.Values.First().A.shape[0];
        using (torch.no_grad())
        {
            foreach (var (target, (a, b)) in merged)
            {
                var w = parameters[target];
                double scale = config.Scale(a.shape[0]);
                using var delta = Delta(a, b, w, config.FanInFanOut, target);
                w.add_(delta.to(w.dtype, w.device), alpha: scale);
            }
        }
        return new LoraReport(merged.Count, rank, config.Alpha, config.Scale(rank), merged.Keys.Order(StringComparer.Ordinal).ToList());
    }

    private static bool Same(Tensor x, Tensor y) => x.shape.SequenceEqual(y.shape) && x.equal(y).all().item<bool>();

    /// <summary>B·A for a Linear; for a Conv2d, PEFT's composition of the k×k A conv with the 1×1 B conv.</summary>
    internal static Tensor Delta(Tensor a, Tensor b, Tensor w, bool fanInFanOut, string target)
    {
        using var scope = torch.NewDisposeScope();
        Tensor d;
        if (w.dim() == 2 && a.dim() == 2 && b.dim() == 2) d = b.matmul(a);
        else if (w.dim() == 4 && a.dim() == 4 && b.dim() == 4)
            d = nn.functional.conv2d(a.permute(1, 0, 2, 3), b).permute(1, 0, 2, 3);
        else throw new EncoderLoadException($"LoRA shapes A [{string.Join(",", a.shape)}], B [{string.Join(",", b.shape)}] do not fit '{target}' [{string.Join(",", w.shape)}]");
        if (fanInFanOut) d = d.t();
        if (!d.shape.SequenceEqual(w.shape))
            throw new EncoderLoadException($"LoRA delta for '{target}' is [{string.Join(",", d.shape)}] but the weight is [{string.Join(",", w.shape)}]");
        return d.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The tower parameter an adapter module path modifies, or null.</summary>
    internal static string? Resolve(string module, IReadOnlyDictionary<string, Parameter> parameters, ArchitectureSpec spec)
    {
        var parts = module.Split('.');
        for (int start = 0; start < parts.Length; start++)
        {
            var suffix = string.Join('.', parts[start..]);
            if (parameters.TryGetValue(suffix + ".weight", out var p) && p.dim() >= 2) return suffix + ".weight";
            if (spec is ClipVitSpec && DinoToClip(suffix) is { } clip && parameters.ContainsKey(clip)) return clip;
        }
        return null;
    }

    private static string? DinoToClip(string name)
    {
        var m = DinoBlockName().Match(name);
        if (!m.Success) return null;
        var i = m.Groups[1].Value;
        return m.Groups[2].Value switch
        {
            "attn.qkv" => $"transformer.resblocks.{i}.attn.in_proj_weight",
            "attn.proj" => $"transformer.resblocks.{i}.attn.out_proj.weight",
            "mlp.fc1" => $"transformer.resblocks.{i}.mlp.c_fc.weight",
            "mlp.fc2" => $"transformer.resblocks.{i}.mlp.c_proj.weight",
            _ => null,
        };
    }

    private static List<(string Module, Tensor A, Tensor B)> Pairs(StateDict sd, string path)
    {
        var result = new List<(string, Tensor, Tensor)>();
        foreach (var key in sd.Keys)
        {
            var m = LoraKey().Match(key);
            if (!m.Success)
                throw new EncoderLoadException($"{path}: unsupported adapter tensor '{key}' (only lora_A/lora_B weights are supported; no DoRA, embeddings, biases or modules_to_save)");
            if (m.Groups[2].Value != "A") continue;
            var module = m.Groups[1].Value;
            var bKey = key.Replace(".lora_A.", ".lora_B.");
            if (!sd.TryGet(bKey, out var b)) throw new EncoderLoadException($"{path}: '{key}' has no matching '{bKey}'");
            foreach (var w in new[] { "base_model.model." }) if (module.StartsWith(w, StringComparison.Ordinal)) module = module[w.Length..];
            result.Add((module, sd[key], b));
        }
        return result;
    }

    private sealed record AdapterConfig(int R, double Alpha, bool RsLora, bool FanInFanOut, string[]? TargetList, string? TargetRegex)
    {
        public double Scale(long r) => RsLora ? Alpha / Math.Sqrt(r) : Alpha / r;

        /// <summary>PEFT's rule: a list entry matches the full name or a dotted suffix; a string is a full-match regex.</summary>
        public bool Targets(string module) =>
            TargetRegex is not null ? Regex.IsMatch(module, "^(?:" + TargetRegex + ")$")
            : TargetList is null || TargetList.Any(t => module == t || module.EndsWith("." + t, StringComparison.Ordinal));
    }

    private static AdapterConfig ReadConfig(string path)
    {
        JsonElement root;
        try { root = JsonDocument.Parse(File.ReadAllText(path)).RootElement; }
        catch (JsonException e) { throw new EncoderLoadException($"{path}: not valid JSON ({e.Message})"); }
        string? type = root.TryGetProperty("peft_type", out var pt) ? pt.GetString() : "LORA";
        if (!string.Equals(type, "LORA", StringComparison.OrdinalIgnoreCase)) throw new EncoderLoadException($"{path}: peft_type '{type}' is not LORA");
        if (root.TryGetProperty("use_dora", out var dora) && dora.ValueKind == JsonValueKind.True) throw new EncoderLoadException($"{path}: DoRA adapters are not supported");
        foreach (var pattern in new[] { "rank_pattern", "alpha_pattern" })
            if (root.TryGetProperty(pattern, out var pat) && pat.ValueKind == JsonValueKind.Object && pat.EnumerateObject().Any())
                throw new EncoderLoadException($"{path}: per-module {pattern} is not supported");
        if (!root.TryGetProperty("r", out var r) || !r.TryGetInt32(out var rank) || rank <= 0) throw new EncoderLoadException($"{path}: missing or invalid 'r'");
        if (!root.TryGetProperty("lora_alpha", out var alpha) || alpha.ValueKind != JsonValueKind.Number) throw new EncoderLoadException($"{path}: missing or invalid 'lora_alpha'");
        bool rs = root.TryGetProperty("use_rslora", out var rsl) && rsl.ValueKind == JsonValueKind.True;
        bool fifo = root.TryGetProperty("fan_in_fan_out", out var f) && f.ValueKind == JsonValueKind.True;
        string[]? list = null; string? regex = null;
        if (root.TryGetProperty("target_modules", out var tm))
        {
            if (tm.ValueKind == JsonValueKind.Array) list = tm.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
            else if (tm.ValueKind == JsonValueKind.String) regex = tm.GetString();
        }
        return new AdapterConfig(rank, alpha.GetDouble(), rs, fifo, list, regex);
    }

    [GeneratedRegex(@"^(.+)\.lora_([AB])(?:\.[A-Za-z0-9_]+)?\.weight$")] private static partial Regex LoraKey();
    [GeneratedRegex(@"^blocks\.(\d+)\.(attn\.qkv|attn\.proj|mlp\.fc1|mlp\.fc2)$")] private static partial Regex DinoBlockName();
}
