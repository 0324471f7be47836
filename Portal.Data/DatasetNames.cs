using Microsoft.EntityFrameworkCore;
using Portal.Data.Entities;

namespace Portal.Data;

/// <summary>Dataset names are unique across benchmarks, galleries and image sets (one "datasets" table).</summary>
public static class DatasetNames
{
    /// <summary>The record of this kind with the name (tracked), or null when the name is free; refused when another kind holds it.</summary>
    public static async Task<T?> FindNamedAsync<T>(this PortalDbContext db, string name, CancellationToken ct) where T : DatasetRecord =>
        await db.Datasets.FirstOrDefaultAsync(d => d.Name == name, ct) switch
        {
            null => null,
            T same => same,
            var other => throw new InvalidOperationException($"'{name}' is already the name of a {other.KindNoun()}; choose another name"),
        };
}
