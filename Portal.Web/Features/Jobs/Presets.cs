using Portal.Data.Entities;

namespace Portal.Web.Features.Jobs;

/// <summary>The evaluation settings offered by name; defaults follow the paper (100 APGD iterations, 1 restart).</summary>
public static class Presets
{
    public const string Clean = "clean", Linf4 = "linf-4", L2_3 = "l2-3", Linf8 = "linf-8", SquareLinf4 = "square-linf-4", SquareL2_3 = "square-l2-3",
        AuditLinf4 = "audit-linf-4", AuditL2_3 = "audit-l2-3", DemoLinf1 = "linf-1";
    /// <summary>
    /// The demo 2AFC board's threat model: L∞ 1/255. The 0.1 M-parameter demo encoders on 64-px procedural images are not
    /// robust at the paper's 4/255 (both collapse there, docs/fare-and-demo.md, "Demo world (Portal.Engine/Demo/World)"); at 1/255 the FARE one is and the clean one is
    /// not, which is the paper's story in small. Offered only on demo benchmarks, and the board says it is not the paper's ε.
    /// </summary>
    public const double DemoLinfEps = 1.0 / 255;
    /// <summary>The attack audit's seeded subset (docs/two-afc.md).</summary>
    public const int AuditItems = 500;
    /// <summary>AutoAttack's standard budget for the black-box Square Attack.</summary>
    public const int SquareQueries = 5000;
    public static readonly string[] All = [Clean, Linf4, L2_3];

    /// <summary>The presets offered for a benchmark task kind (retrieval: the paper's L∞ 4/255; detection: its targeted L∞ 8/255, 200 it).</summary>
    public static string[] ForKind(TaskKind taskKind) => taskKind switch
    {
        TaskKind.Retrieval => [Clean, Linf4],
        TaskKind.Detection => [Clean, Linf8],
        _ => All,
    };

    /// <summary>Presets an API client may name: the offered ones, the detection preset, the Square Attack checks (2AFC, retrieval, detection) and the audits (2AFC).</summary>
    public static readonly string[] Known = [.. All, Linf8, SquareLinf4, SquareL2_3, AuditLinf4, AuditL2_3, DemoLinf1];

    /// <summary>What a benchmark offers: its task's presets, and on a demo 2AFC benchmark also its own threat model (L∞ 1/255).</summary>
    public static string[] ForBenchmark(BenchmarkRecord bench) =>
        bench.IsDemo && bench.TaskKind == TaskKind.TwoAfc ? [.. ForKind(bench.TaskKind), DemoLinf1] : ForKind(bench.TaskKind);

    /// <summary>
    /// The presets that belong to a task kind: what <see cref="ForKind"/> offers, and for 2AFC also the Square Attack
    /// and audit checks. A preset of another task is refused rather than run (an L∞ 4/255 detection run is not the
    /// paper's detection protocol, and would land on the board as if it were). Unknown kinds accept every known preset.
    /// </summary>
    public static string[] AllowedFor(TaskKind taskKind) => taskKind switch
    {
        TaskKind.TwoAfc => [.. All, SquareLinf4, SquareL2_3, AuditLinf4, AuditL2_3, DemoLinf1],
        // Square as a gradient-masking check on retrieval at its ε (detection runs Square through a custom attack config).
        TaskKind.Retrieval => [.. ForKind(taskKind), SquareLinf4],
        TaskKind.Detection => ForKind(taskKind),
        _ => Known,
    };

    /// <summary>The request's own numbers, checked before a preset fills in its defaults: a bad value is refused, never replaced.</summary>
    public static void ValidateRequest(int? iterations, int? limit)
    {
        if ((IterationsProblem(iterations) ?? LimitProblem(limit)) is { } problem) throw new ArgumentException(problem);
    }

    /// <summary>Why a requested APGD iteration count is refused, or null (none requested: the preset's default).</summary>
    public static string? IterationsProblem(int? iterations) =>
        iterations is < 1 or > 10_000 ? $"iterations must be in 1..10000 (got {iterations})" : null;

    /// <summary>Why a requested "first N items" is refused, or null (none requested: every item).</summary>
    public static string? LimitProblem(int? limit) =>
        limit is < 1 ? $"limit (only the first N items) must be at least 1 (got {limit})" : null;

    public static string Describe(string preset) => preset switch
    {
        Clean => "Clean",
        Linf4 => "L∞ 4/255 (APGD)",
        L2_3 => "L2 3 (APGD)",
        Linf8 => "L∞ 8/255 (APGD, targeted)",
        DemoLinf1 => "L∞ 1/255 (APGD) — the demo board's threat model, not the paper's",
        SquareLinf4 => "L∞ 4/255 (Square, 5000 queries)",
        SquareL2_3 => "L2 3 (Square, 5000 queries)",
        AuditLinf4 => "Attack audit of L∞ 4/255 (ε and iteration curves, 5 restarts, Square, worst case)",
        AuditL2_3 => "Attack audit of L2 3 (ε and iteration curves, 5 restarts, Square, worst case)",
        _ => "Custom",
    };

    public static JobConfig Config(string preset, int? iterations = null, int? limit = null, int seed = 0) => preset switch
    {
        Clean => new JobConfig { Attack = "none", Norm = "linf", Eps = 0, Iterations = 0, Restarts = 0, Seed = 0, Limit = limit },
        Linf4 => new JobConfig { Attack = "apgd", Norm = "linf", Eps = 4.0 / 255, Iterations = iterations ?? 100, Restarts = 1, Seed = seed, Limit = limit },
        L2_3 => new JobConfig { Attack = "apgd", Norm = "l2", Eps = 3.0, Iterations = iterations ?? 100, Restarts = 1, Seed = seed, Limit = limit },
        DemoLinf1 => new JobConfig { Attack = "apgd", Norm = "linf", Eps = DemoLinfEps, Iterations = iterations ?? 100, Restarts = 1, Seed = seed, Limit = limit },
        Linf8 => new JobConfig { Attack = "apgd", Norm = "linf", Eps = 8.0 / 255, Iterations = iterations ?? 200, Restarts = 1, Seed = seed, Limit = limit },
        // Square's budget is queries, not iterations: `iterations` of a request does not change it.
        SquareLinf4 => new JobConfig { Attack = "square", Norm = "linf", Eps = 4.0 / 255, Queries = SquareQueries, Restarts = 1, Seed = seed, Limit = limit },
        SquareL2_3 => new JobConfig { Attack = "square", Norm = "l2", Eps = 3.0, Queries = SquareQueries, Restarts = 1, Seed = seed, Limit = limit },
        AuditLinf4 => new JobConfig { Attack = "audit", Norm = "linf", Eps = 4.0 / 255, Iterations = iterations ?? 100, Queries = SquareQueries, Restarts = 5, Seed = seed, Limit = limit ?? AuditItems },
        AuditL2_3 => new JobConfig { Attack = "audit", Norm = "l2", Eps = 3.0, Iterations = iterations ?? 100, Queries = SquareQueries, Restarts = 5, Seed = seed, Limit = limit ?? AuditItems },
        _ => throw new ArgumentException($"unknown preset '{preset}' (known: {string.Join(", ", Known)})"),
    };

    /// <summary>Checks a custom configuration; the message names the bad field.</summary>
    public static void Validate(JobConfig c)
    {
        if (c.Attack is not ("none" or "apgd" or "square" or "audit")) throw new ArgumentException($"attack must be none, apgd, square or audit (got '{c.Attack}')");
        if (c.Limit is <= 0) throw new ArgumentException($"limit must be positive (got {c.Limit})");
        if (!c.IsAttack) return;
        if (c.Norm is not ("linf" or "l2")) throw new ArgumentException($"norm must be linf or l2 (got '{c.Norm}')");
        if (!(c.Eps >= 0) || double.IsInfinity(c.Eps)) throw new ArgumentException($"eps must be a finite number ≥ 0 (got {c.Eps})");
        if (c.Restarts is < 1 or > 100) throw new ArgumentException($"restarts must be in 1..100 (got {c.Restarts})");
        if (c.Attack == "square")
        {
            if (c.Queries is not (>= 1 and <= 1_000_000)) throw new ArgumentException($"queries must be in 1..1000000 for the square attack (got {c.Queries?.ToString() ?? "none"})");
            c.Iterations = 0; // not a setting of Square: kept out of the record so the key says what ran
            return;
        }
        if (c.Attack == "audit")
        {
            if (!(c.Eps > 0)) throw new ArgumentException("an audit needs the ε under audit (> 0)");
            if (c.Queries is not (>= 1 and <= 1_000_000)) throw new ArgumentException($"queries (the audit's Square budget) must be in 1..1000000 (got {c.Queries?.ToString() ?? "none"})");
        }
        else if (c.Queries != null) throw new ArgumentException("queries is a setting of the square attack and the audit only");
        if (c.Iterations is < 1 or > 10_000) throw new ArgumentException($"iterations must be in 1..10000 (got {c.Iterations})");
    }
}
