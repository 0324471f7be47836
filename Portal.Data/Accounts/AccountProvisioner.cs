using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Portal.Data.Accounts;

/// <summary>Creates accounts outside the web UI: `portal user add` and the configured first admin.</summary>
public sealed class AccountProvisioner(UserManager<PortalUser> users, RoleManager<IdentityRole> roles)
{
    public async Task EnsureRolesAsync()
    {
        foreach (var r in Roles.All)
            if (!await roles.RoleExistsAsync(r)) Check(await roles.CreateAsync(new IdentityRole(r)), $"create role '{r}'");
    }

    /// <summary>A new user in <paramref name="role"/>; with no password the account can use API tokens only until one is set.</summary>
    public async Task<PortalUser> AddUserAsync(string userName, string role, string? password)
    {
        if (string.IsNullOrWhiteSpace(userName)) throw new ArgumentException("user name must not be empty");
        if (!Roles.IsKnown(role)) throw new ArgumentException($"unknown role '{role}' (known: {string.Join(", ", Roles.All)})");
        await EnsureRolesAsync();
        if (await users.FindByNameAsync(userName) != null) throw new InvalidOperationException($"user '{userName}' already exists");
        var user = new PortalUser { UserName = userName, CreatedAt = DateTime.UtcNow };
        Check(password == null ? await users.CreateAsync(user) : await users.CreateAsync(user, password), $"create user '{userName}'");
        Check(await users.AddToRoleAsync(user, role), $"give user '{userName}' the role '{role}'");
        return user;
    }

    /// <summary>Creates the configured admin when no admin exists yet; returns null when there already is one.</summary>
    public async Task<PortalUser?> EnsureAdminAsync(string userName, string password)
    {
        await EnsureRolesAsync();
        if ((await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0) return null;
        if (await users.FindByNameAsync(userName) is { } existing)
        {
            // An existing researcher named in the configuration is promoted, keeping its password.
            Check(await users.AddToRoleAsync(existing, Roles.Admin), $"make '{userName}' an admin");
            return existing;
        }
        return await AddUserAsync(userName, Roles.Admin, password);
    }

    /// <summary>A password that satisfies the portal's rules, for accounts created without one.</summary>
    public static string GeneratePassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    private static void Check(IdentityResult r, string what)
    {
        if (!r.Succeeded) throw new ArgumentException($"could not {what}: {string.Join("; ", r.Errors.Select(e => e.Description))}");
    }
}
