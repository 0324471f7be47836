using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Data.Postgres;

/// <summary>Used only by `dotnet ef migrations add … --project Portal.Data.Postgres` (no server is contacted to add a migration).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        PostgresSetup.Configure(options, "Host=localhost;Database=portal_design;Username=portal");
        return new PortalDbContext(options.Options);
    }
}
