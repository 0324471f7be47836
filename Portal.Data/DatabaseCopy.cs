using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Portal.Data;

/// <summary>
/// Copies every row of the portal's schema (encoders, datasets, jobs, results, items, accounts, tokens, workers) from
/// one database to another of the same schema — the upgrade from the embedded SQLite to a shared PostgreSQL. Tables go
/// in foreign-key order with their ids kept, so links, result reuse and URLs stay valid; afterwards the target's
/// identity sequences continue after the copied ids. The target must be empty (a half-done copy is refused, not mixed).
/// </summary>
public static class DatabaseCopy
{
    public sealed record Report(IReadOnlyDictionary<string, int> Rows);

    public static async Task<Report> CopyAsync(PortalDbContext source, PortalDbContext target, Func<object, object>? rewrite, IProgress<string>? log, CancellationToken ct)
    {
        var types = Ordered(source.Model);
        foreach (var t in types)
            if (await Query(target, t).AnyAsync(ct))
                throw new InvalidOperationException($"the target database already holds rows in {t.GetTableName()}: copy into an empty, freshly migrated database");

        var rows = new Dictionary<string, int>();
        await using var tx = await target.Database.BeginTransactionAsync(ct);
        foreach (var t in types)
        {
            var items = await Query(source, t).ToListAsync(ct);
            foreach (var e in items) target.Add(AsUtc(rewrite?.Invoke(e) ?? e));
            try { await target.SaveChangesAsync(ct); }
            catch (DbUpdateException x) { throw new InvalidOperationException($"copying {t.GetTableName()}: {x.InnerException?.Message ?? x.Message}", x); }
            target.ChangeTracker.Clear();
            rows[t.GetTableName()!] = items.Count;
            log?.Report($"{t.GetTableName()}: {items.Count} row(s)");
        }
        if (target.Database.IsNpgsql()) await ResetSequencesAsync(target, types, ct);
        await tx.CommitAsync(ct);
        return new Report(rows);
    }

    /// <summary>SQLite hands back times without a kind; they were written as UTC, and PostgreSQL's timestamptz wants that said.</summary>
    private static object AsUtc(object entity)
    {
        foreach (var p in entity.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite))
        {
            var v = p.GetValue(entity);
            if (v is DateTime d && d.Kind != DateTimeKind.Utc) p.SetValue(entity, DateTime.SpecifyKind(d, DateTimeKind.Utc));
            else if (v is DateTimeOffset o && o.Offset != TimeSpan.Zero) p.SetValue(entity, o.ToUniversalTime());
        }
        return entity;
    }

    /// <summary>Principals before dependents (self-references, e.g. an encoder's parent, are ordered by EF within a table).</summary>
    private static List<IEntityType> Ordered(IModel model)
    {
        // A derived type (a benchmark, a gallery) is copied with its base's rows: querying the base reads every kind.
        var all = model.GetEntityTypes().Where(t => !t.IsOwned() && t.BaseType == null && t.GetTableName() != null && t.ClrType != typeof(Dictionary<string, object>)).ToList();
        var done = new List<IEntityType>();
        var seen = new HashSet<IEntityType>();
        void Visit(IEntityType t, HashSet<IEntityType> path)
        {
            if (seen.Contains(t)) return;
            if (!path.Add(t)) return;
            foreach (var fk in t.GetForeignKeys())
                if (fk.PrincipalEntityType != t && all.Contains(fk.PrincipalEntityType)) Visit(fk.PrincipalEntityType, path);
            seen.Add(t);
            done.Add(t);
        }
        foreach (var t in all) Visit(t, []);
        return done;
    }

    private static IQueryable<object> Query(PortalDbContext db, IEntityType t)
    {
        var set = typeof(DbContext).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Single(m => m.Name == nameof(DbContext.Set) && m.IsGenericMethodDefinition && m.GetParameters().Length == 0)
            .MakeGenericMethod(t.ClrType).Invoke(db, null)!;
        var asNoTracking = typeof(EntityFrameworkQueryableExtensions).GetMethod(nameof(EntityFrameworkQueryableExtensions.AsNoTracking))!.MakeGenericMethod(t.ClrType);
        return ((IQueryable)asNoTracking.Invoke(null, [set])!).Cast<object>();
    }

    private static async Task ResetSequencesAsync(PortalDbContext db, IEnumerable<IEntityType> types, CancellationToken ct)
    {
        foreach (var t in types)
        {
            var key = t.FindPrimaryKey();
            if (key is not { Properties.Count: 1 } || key.Properties[0].ClrType is var k && k != typeof(int) && k != typeof(long)) continue;
            if (key.Properties[0].ValueGenerated == ValueGenerated.Never) continue;
            var table = t.GetTableName()!;
            var column = key.Properties[0].GetColumnName(StoreObjectIdentifier.Table(table, t.GetSchema()));
            // Table and column names come from the model, not from input.
#pragma warning disable EF1002
            await db.Database.ExecuteSqlRawAsync(
                $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 0) + 1, false)", ct);
#pragma warning restore EF1002
        }
    }
}
