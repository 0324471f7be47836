using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Data.Accounts;

public static class AccountServices
{
    /// <summary>Identity's user and role stores on the portal database, with the password rules shared by the web and the CLI.</summary>
    public static IdentityBuilder AddPortalIdentityCore(this IServiceCollection services)
    {
        services.AddSingleton<ApiTokens>();
        services.AddScoped<AccountProvisioner>();
        return services.AddIdentityCore<PortalUser>(o =>
            {
                // Length over composition rules (NIST SP 800-63B): long passphrases are easier to remember and harder to guess.
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.User.RequireUniqueEmail = false;
                o.Lockout.MaxFailedAccessAttempts = 10;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>();
    }
}
