using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Data.Entities;
using Portal.Engine.Training;

namespace Portal.Web.Features.Robustify;

/// <summary>
/// What a researcher asks of a FARE job (POST /api/encoders/{id}/robustify). ε, the step budget and the seed go into
/// the job's typed config (eps, iterations, seed); the rest as canonical JSON in <see cref="JobConfig.Options"/>, so
/// the config key — and with it result reuse — covers every setting.
/// </summary>
public sealed record RobustifyRequest
{
    /// <summary>Folder of training images on the server (ImageNet-style class folders or flat).</summary>
    public string? ImageFolder { get; init; }
    /// <summary>L∞ radius in pixel units [0,1] (4/255 ≈ 0.0157); or give <see cref="Eps255"/>.</summary>
    public double? Eps { get; init; }
    /// <summary>ε as a multiple of 1/255 (the paper's 2 or 4).</summary>
    public double? Eps255 { get; init; }
    public int Steps { get; init; } = 1000;
    public int BatchSize { get; init; } = 32;
    public double LearningRate { get; init; } = 1e-5;
    public double WeightDecay { get; init; } = 1e-4;
    /// <summary>Linear warm-up steps; null = 7 % of the steps (FARE: 1400 of 20 000).</summary>
    public int? Warmup { get; init; }
    public int InnerSteps { get; init; } = 10;
    /// <summary>Inner PGD step in pixel units; null = 1/255.</summary>
    public double? InnerStepSize { get; init; }
    public int Seed { get; init; }
    /// <summary>Save the resumable state every this many steps.</summary>
    public int StateEvery { get; init; } = 25;
}

/// <summary>The FARE-specific part of a job's config (everything but ε, steps and seed).</summary>
public sealed record FareSettings(
    [property: JsonPropertyName("batch")] int BatchSize,
    [property: JsonPropertyName("lr")] double LearningRate,
    [property: JsonPropertyName("wd")] double WeightDecay,
    [property: JsonPropertyName("warmup")] int Warmup,
    [property: JsonPropertyName("inner_steps")] int InnerSteps,
    [property: JsonPropertyName("inner_step")] double InnerStepSize,
    [property: JsonPropertyName("state_every")] int StateEvery)
{
    public const string Attack = Jobs.JobLimits.FareAttack;
    public const int MaxSteps = 1_000_000;

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Checks the request (messages name the field) and turns it into a job config.</summary>
    public static JobConfig Config(RobustifyRequest r)
    {
        if (r.Eps is not null && r.Eps255 is not null) throw new ArgumentException("give eps or eps_255, not both");
        var eps = r.Eps ?? (r.Eps255 ?? 4) / 255.0;
        if (!(eps > 0) || eps > 0.5 || !double.IsFinite(eps)) throw new ArgumentException($"eps must be in (0, 0.5] in pixel units (4/255 ≈ 0.0157), got {eps.ToString(CultureInfo.InvariantCulture)}");
        if (r.Steps is < 1 or > MaxSteps) throw new ArgumentException($"steps must be in 1..{MaxSteps} (got {r.Steps})");
        if (r.BatchSize is < 2 or > 4096) throw new ArgumentException($"batch_size must be in 2..4096 (got {r.BatchSize})");
        if (!(r.LearningRate > 0) || r.LearningRate > 1) throw new ArgumentException($"learning_rate must be in (0, 1] (got {r.LearningRate.ToString(CultureInfo.InvariantCulture)})");
        if (!(r.WeightDecay >= 0) || r.WeightDecay > 1) throw new ArgumentException($"weight_decay must be in [0, 1] (got {r.WeightDecay.ToString(CultureInfo.InvariantCulture)})");
        var warmup = r.Warmup ?? (int)Math.Round(r.Steps * 0.07);
        if (warmup < 0 || warmup > r.Steps) throw new ArgumentException($"warmup must be in 0..steps ({r.Steps}) (got {warmup})");
        if (r.InnerSteps is < 1 or > 1000) throw new ArgumentException($"inner_steps must be in 1..1000 (got {r.InnerSteps})");
        var inner = r.InnerStepSize ?? 1.0 / 255;
        if (!(inner > 0) || inner > 1) throw new ArgumentException($"inner_step_size must be in (0, 1] (got {inner.ToString(CultureInfo.InvariantCulture)})");
        if (r.StateEvery < 1) throw new ArgumentException($"state_every must be at least 1 (got {r.StateEvery})");
        var s = new FareSettings(r.BatchSize, r.LearningRate, r.WeightDecay, warmup, r.InnerSteps, inner, r.StateEvery);
        return new JobConfig { Attack = Attack, Norm = "linf", Eps = eps, Iterations = r.Steps, Restarts = 0, Seed = r.Seed, Options = s.ToJson() };
    }

    public static FareSettings From(JobConfig c)
    {
        if (c.Attack != Attack || c.Options is null) throw new InvalidOperationException($"job config '{c.Key}' is not a FARE config");
        return JsonSerializer.Deserialize<FareSettings>(c.Options) ?? throw new InvalidDataException($"empty FARE settings in job config '{c.Key}'");
    }

    /// <summary>The engine's options for a stored job config.</summary>
    public static FareOptions Options(JobConfig c)
    {
        var s = From(c);
        return new FareOptions
        {
            Eps = c.Eps, Steps = c.Iterations, Seed = (ulong)(uint)c.Seed, BatchSize = s.BatchSize, LearningRate = s.LearningRate,
            WeightDecay = s.WeightDecay, WarmupSteps = s.Warmup, InnerSteps = s.InnerSteps, InnerStepSize = s.InnerStepSize, StateEvery = s.StateEvery,
        };
    }

    public static string Describe(JobConfig c)
    {
        var s = From(c);
        return string.Create(CultureInfo.InvariantCulture, $"FARE ε {c.Eps * 255:0.##}/255 · {c.Iterations} steps · batch {s.BatchSize} · lr {s.LearningRate:G3} · {s.InnerSteps} PGD steps");
    }
}
