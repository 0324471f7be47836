using Portal.Data.Entities;

namespace Portal.Web.Jobs;

/// <summary>The evaluation settings offered by name; defaults follow the paper (100 APGD iterations, 1 restart).</summary>
public static class Presets
{
    public const string Clean = "clean", Linf4 = "linf-4", L2_3 = "l2-3", Linf8 = "linf-8";
    public static readonly string[] All = [Clean, Linf4, L2_3];

    /// <summary>The presets offered for a benchmark task kind (retrieval: the paper's L∞ 4/255; detection: its targeted L∞ 8/255, 200 it).</summary>
    public static string[] ForKind(string taskKind) => taskKind switch
    {
        "retrieval" => [Clean, Linf4],
        "detection" => [Clean, Linf8],
        _ => All,
    };

    public static string Describe(string preset) => preset switch
    {
        Clean => "Clean",
        Linf4 => "L∞ 4/255 (APGD)",
        L2_3 => "L2 3 (APGD)",
        Linf8 => "L∞ 8/255 (APGD, targeted)",
        _ => "Custom",
    };

    public static JobConfig Config(string preset, int? iterations = null, int? limit = null, int seed = 0) => preset switch
    {
        Clean => new JobConfig { Attack = "none", Norm = "linf", Eps = 0, Iterations = 0, Restarts = 0, Seed = 0, Limit = limit },
        Linf4 => new JobConfig { Attack = "apgd", Norm = "linf", Eps = 4.0 / 255, Iterations = iterations ?? 100, Restarts = 1, Seed = seed, Limit = limit },
        L2_3 => new JobConfig { Attack = "apgd", Norm = "l2", Eps = 3.0, Iterations = iterations ?? 100, Restarts = 1, Seed = seed, Limit = limit },
        Linf8 => new JobConfig { Attack = "apgd", Norm = "linf", Eps = 8.0 / 255, Iterations = iterations ?? 200, Restarts = 1, Seed = seed, Limit = limit },
        _ => throw new ArgumentException($"unknown preset '{preset}' (known: {string.Join(", ", All.Append(Linf8))})"),
    };

    /// <summary>Checks a custom configuration; the message names the bad field.</summary>
    public static void Validate(JobConfig c)
    {
        if (c.Attack is not ("none" or "apgd")) throw new ArgumentException($"attack must be none or apgd (got '{c.Attack}')");
        if (c.Limit is <= 0) throw new ArgumentException($"limit must be positive (got {c.Limit})");
        if (!c.IsAttack) return;
        if (c.Norm is not ("linf" or "l2")) throw new ArgumentException($"norm must be linf or l2 (got '{c.Norm}')");
        if (!(c.Eps >= 0) || double.IsInfinity(c.Eps)) throw new ArgumentException($"eps must be a finite number ≥ 0 (got {c.Eps})");
        if (c.Iterations is < 1 or > 10_000) throw new ArgumentException($"iterations must be in 1..10000 (got {c.Iterations})");
        if (c.Restarts is < 1 or > 100) throw new ArgumentException($"restarts must be in 1..100 (got {c.Restarts})");
    }
}
