namespace Portal.Data.Migrations;

/// <summary>
/// The DatasetTables migration of both providers, as SQL: the one "benchmarks" table that held benchmarks, inversion
/// galleries and FARE image sets becomes "datasets" (every row, id and link kept: jobs' and results' foreign keys follow
/// the renamed table), and each kind gets its own table keyed by the same id — "benchmarks" (with the layout and split
/// columns only benchmarks have), "galleries", "training_image_sets". Written by hand because EF's scaffold would drop
/// the columns before copying them, and SQLite's table rebuilds would reorder around the copy. Down puts everything
/// back (a gallery's layout columns read 'gallery'/'all' and an image set's 'images'/'train', as they were stored).
/// </summary>
public static class DatasetTablesMove
{
    private const string Galleries = "('feature-inversion', 'text-inversion')", ImageSets = "('fare')";

    public static IEnumerable<string> Up(bool postgres)
    {
        if (postgres)
        {
            yield return """ALTER TABLE "jobs" DROP CONSTRAINT "FK_jobs_benchmarks_BenchmarkId";""";
            yield return """ALTER TABLE "results" DROP CONSTRAINT "FK_results_benchmarks_BenchmarkId";""";
        }
        yield return """DROP INDEX "IX_benchmarks_Name";""";
        yield return """ALTER TABLE "benchmarks" RENAME TO "datasets";""";
        if (postgres)
        {
            yield return """ALTER TABLE "datasets" RENAME CONSTRAINT "PK_benchmarks" TO "PK_datasets";""";
            yield return """ALTER SEQUENCE IF EXISTS "benchmarks_Id_seq" RENAME TO "datasets_Id_seq";""";
        }
        var (integer, text) = postgres ? ("integer", "text") : ("INTEGER", "TEXT");
        yield return $"""
            CREATE TABLE "benchmarks" ("Id" {integer} NOT NULL, "Format" {text} NOT NULL, "Split" {text} NOT NULL, "Splits" {text} NOT NULL,
                CONSTRAINT "PK_benchmarks" PRIMARY KEY ("Id"),
                CONSTRAINT "FK_benchmarks_datasets_Id" FOREIGN KEY ("Id") REFERENCES "datasets" ("Id") ON DELETE CASCADE);
            """;
        foreach (var table in new[] { "galleries", "training_image_sets" })
            yield return $"""
                CREATE TABLE "{table}" ("Id" {integer} NOT NULL,
                    CONSTRAINT "PK_{table}" PRIMARY KEY ("Id"),
                    CONSTRAINT "FK_{table}_datasets_Id" FOREIGN KEY ("Id") REFERENCES "datasets" ("Id") ON DELETE CASCADE);
                """;
        // Every row lands in exactly one kind's table: what is neither a gallery nor an image set is a benchmark.
        yield return $"""INSERT INTO "benchmarks" ("Id", "Format", "Split", "Splits") SELECT "Id", "Format", "Split", "Splits" FROM "datasets" WHERE "TaskKind" NOT IN {Galleries} AND "TaskKind" NOT IN {ImageSets};""";
        yield return $"""INSERT INTO "galleries" ("Id") SELECT "Id" FROM "datasets" WHERE "TaskKind" IN {Galleries};""";
        yield return $"""INSERT INTO "training_image_sets" ("Id") SELECT "Id" FROM "datasets" WHERE "TaskKind" IN {ImageSets};""";
        foreach (var column in new[] { "Format", "Split", "Splits" })
            yield return $"""ALTER TABLE "datasets" DROP COLUMN "{column}";""";
        yield return """CREATE UNIQUE INDEX "IX_datasets_Name" ON "datasets" ("Name");""";

        foreach (var s in Links(postgres, from: "Benchmark", to: "Dataset", principal: "datasets")) yield return s;
    }

    public static IEnumerable<string> Down(bool postgres)
    {
        if (postgres)
        {
            yield return """ALTER TABLE "jobs" DROP CONSTRAINT "FK_jobs_datasets_DatasetId";""";
            yield return """ALTER TABLE "results" DROP CONSTRAINT "FK_results_datasets_DatasetId";""";
        }
        yield return """DROP INDEX "IX_datasets_Name";""";
        var text = postgres ? "text" : "TEXT";
        foreach (var column in new[] { "Format", "Split", "Splits" })
            yield return $"""ALTER TABLE "datasets" ADD COLUMN "{column}" {text} NOT NULL DEFAULT '';""";
        yield return """
            UPDATE "datasets" SET
                "Format" = (SELECT b."Format" FROM "benchmarks" b WHERE b."Id" = "datasets"."Id"),
                "Split" = (SELECT b."Split" FROM "benchmarks" b WHERE b."Id" = "datasets"."Id"),
                "Splits" = (SELECT b."Splits" FROM "benchmarks" b WHERE b."Id" = "datasets"."Id")
            WHERE "Id" IN (SELECT "Id" FROM "benchmarks");
            """;
        yield return """UPDATE "datasets" SET "Format" = 'gallery', "Split" = 'all' WHERE "Id" IN (SELECT "Id" FROM "galleries");""";
        yield return """UPDATE "datasets" SET "Format" = 'images', "Split" = 'train' WHERE "Id" IN (SELECT "Id" FROM "training_image_sets");""";
        foreach (var table in new[] { "benchmarks", "galleries", "training_image_sets" })
            yield return $"""DROP TABLE "{table}";""";
        yield return """ALTER TABLE "datasets" RENAME TO "benchmarks";""";
        if (postgres)
        {
            yield return """ALTER TABLE "benchmarks" RENAME CONSTRAINT "PK_datasets" TO "PK_benchmarks";""";
            yield return """ALTER SEQUENCE IF EXISTS "datasets_Id_seq" RENAME TO "benchmarks_Id_seq";""";
        }
        yield return """CREATE UNIQUE INDEX "IX_benchmarks_Name" ON "benchmarks" ("Name");""";

        foreach (var s in Links(postgres, from: "Dataset", to: "Benchmark", principal: "benchmarks")) yield return s;
    }

    /// <summary>Jobs' and results' link column (and the result's version column) renamed, with their indexes and keys.</summary>
    private static IEnumerable<string> Links(bool postgres, string from, string to, string principal)
    {
        yield return $"""ALTER TABLE "jobs" RENAME COLUMN "{from}Id" TO "{to}Id";""";
        yield return $"""ALTER TABLE "results" RENAME COLUMN "{from}Id" TO "{to}Id";""";
        yield return $"""ALTER TABLE "results" RENAME COLUMN "{from}Version" TO "{to}Version";""";
        (string Table, string Old, string New, bool Unique, string Columns)[] indexes =
        [
            ("jobs", $"IX_jobs_{from}Id", $"IX_jobs_{to}Id", false, $"\"{to}Id\""),
            ("jobs", $"IX_jobs_EncoderId_{from}Id_ConfigKey", $"IX_jobs_EncoderId_{to}Id_ConfigKey", false, $"\"EncoderId\", \"{to}Id\", \"ConfigKey\""),
            ("results", $"IX_results_{from}Id", $"IX_results_{to}Id", false, $"\"{to}Id\""),
            ("results", $"IX_results_EncoderSha256_{from}Version_ConfigKey", $"IX_results_EncoderSha256_{to}Version_ConfigKey", true, $"\"EncoderSha256\", \"{to}Version\", \"ConfigKey\""),
        ];
        foreach (var ix in indexes)
        {
            // SQLite has no RENAME INDEX (its indexes follow the renamed column already): dropped and made again.
            if (postgres) yield return $"""ALTER INDEX "{ix.Old}" RENAME TO "{ix.New}";""";
            else
            {
                yield return $"""DROP INDEX "{ix.Old}";""";
                yield return $"""CREATE {(ix.Unique ? "UNIQUE " : "")}INDEX "{ix.New}" ON "{ix.Table}" ({ix.Columns});""";
            }
        }
        // SQLite's foreign keys are part of each table and follow renames by themselves; PostgreSQL's are named.
        if (!postgres) yield break;
        foreach (var table in new[] { "jobs", "results" })
            yield return $"""ALTER TABLE "{table}" ADD CONSTRAINT "FK_{table}_{principal}_{to}Id" FOREIGN KEY ("{to}Id") REFERENCES "{principal}" ("Id") ON DELETE RESTRICT;""";
    }
}
