using Microsoft.EntityFrameworkCore;

namespace Portal.Data;

/// <summary>A context factory without dependency injection (command-line tools that open the database once).</summary>
public sealed class PortalDbContextFactory(DbContextOptions<PortalDbContext> options) : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext() => new(options);
}
