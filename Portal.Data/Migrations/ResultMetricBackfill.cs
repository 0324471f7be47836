namespace Portal.Data.Migrations;

/// <summary>
/// The <c>ResultMetricNamed</c> migration's backfill, shared by both providers (quoted identifiers read the same in
/// SQLite and PostgreSQL): the results stored before the rows said what they measure get the metric their benchmark's
/// task implies, the same mapping as <see cref="Entities.ResultMetrics.For"/> (tested against it).
/// </summary>
public static class ResultMetricBackfill
{
    public const string Sql = """
        UPDATE "results" SET "Metric" = COALESCE((
            SELECT CASE
                WHEN b."TaskKind" = 'retrieval' AND TRIM(b."Splits") = '' THEN 'top5-overlap'
                WHEN b."TaskKind" = 'retrieval' THEN 'map-medium'
                WHEN b."TaskKind" = 'detection' THEN 'detection-rate'
                WHEN b."TaskKind" IN ('feature-inversion', 'text-inversion') THEN 'mean-cosine'
                WHEN b."TaskKind" = 'fare' THEN 'none'
                ELSE '2afc-accuracy' END
            FROM "benchmarks" b WHERE b."Id" = "results"."BenchmarkId"), '2afc-accuracy');
        """;
}
