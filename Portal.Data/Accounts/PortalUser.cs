using Microsoft.AspNetCore.Identity;

namespace Portal.Data.Accounts;

/// <summary>A portal account (researcher or admin), stored by ASP.NET Core Identity in the portal database.</summary>
public sealed class PortalUser : IdentityUser
{
    public DateTime CreatedAt { get; set; }
}
