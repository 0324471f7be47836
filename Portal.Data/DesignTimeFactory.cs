using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Portal.Data;

/// <summary>Used only by `dotnet ef migrations add` (the web app configures the real path from appsettings).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        SqliteSetup.Configure(options, Path.Combine(Path.GetTempPath(), "portal-design.db"));
        return new PortalDbContext(options.Options);
    }
}
