using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Portal.Data;

/// <summary>
/// The pre-1.0 migrations were squashed into one InitialSchema per provider (2026-12-04); the schema it creates equals the
/// one the old chain built (columns, types, nullability, keys, indexes, foreign keys compared on both providers; only
/// column order and the defaults SQLite needed to add NOT NULL columns differ). A database the old chain brought to its
/// last migration is adopted: its history is rewritten to the new initial migration in one transaction and nothing else is
/// touched. One at an older step cannot be completed without the deleted steps: it is refused, unchanged, with the way out.
/// </summary>
public static class SquashedMigrations
{
    /// <summary>The SQLite chain folded into Portal.Data/Migrations/*_InitialSchema, oldest first.</summary>
    public static readonly string[] Sqlite =
    [
        "20261125141026_InitialSchema", "20261125141836_ItemSanityColumns", "20261125143053_Accounts", "20261125145501_ResultArtifacts",
        "20261125151121_FareLineage", "20261125162515_EncoderTorchScriptApproval", "20261125170956_EncoderAdapters", "20261203082349_Workers",
        "20261203164551_EncoderSubmittedBy", "20261203171635_SquareAttackQueries", "20261203173030_ReportedResults", "20261203220538_EncoderImportSource",
        "20261203221737_DatasetFetches", "20261204213412_EncoderTrainingData",
    ];

    /// <summary>The PostgreSQL chain folded into Portal.Data.Postgres/Migrations/*_InitialSchema, oldest first.</summary>
    public static readonly string[] Postgres =
    [
        "20261203082443_InitialSchema", "20261203164606_EncoderSubmittedBy", "20261203171654_SquareAttackQueries", "20261203173049_ReportedResults",
        "20261203220550_EncoderImportSource", "20261203221801_DatasetFetches", "20261204213447_EncoderTrainingData",
    ];

    /// <summary>
    /// Rewrites the history of a database the old chain completed so that Migrate() sees the squashed initial migration as
    /// applied; returns whether it did. Throws <see cref="InvalidOperationException"/> (nothing changed) for a database
    /// that stopped part-way along the old chain.
    /// </summary>
    public static bool Adopt(PortalDbContext db, IReadOnlyList<string> folded)
    {
        var applied = db.Database.GetAppliedMigrations().ToList();
        if (applied.Count == 0 || !applied.Any(folded.Contains)) return false;
        var initial = db.Database.GetMigrations().First();
        if (applied.Contains(initial)) return false;
        if (applied.FirstOrDefault(a => !folded.Contains(a)) is { } foreign)
            throw new InvalidOperationException($"the database's migration history has '{foreign}', which this version does not know; it was left unchanged");
        if (!applied.Contains(folded[^1]))
            throw new InvalidOperationException(
                $"the database was created by an earlier pre-1.0 version and stopped at migration '{applied.Max()}'; this version squashed those " +
                $"migrations into one and can only adopt a database that reached '{folded[^1]}'. It was left unchanged: start the version of " +
                "2026-12-04 (git history, before 'Squash the migrations') on it once to bring it up to date, or back it up and start with a new data folder");

        var history = db.GetService<IHistoryRepository>();
        var product = ProductInfo.GetVersion();
        using var tx = db.Database.BeginTransaction();
        foreach (var id in applied) db.Database.ExecuteSqlRaw(history.GetDeleteScript(id));
        db.Database.ExecuteSqlRaw(history.GetInsertScript(new HistoryRow(initial, product)));
        tx.Commit();
        return true;
    }
}
