using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace Portal.Data.Accounts;

/// <summary>Creates, resolves, lists and revokes personal API tokens (sent by scripts as <c>Authorization: Bearer &lt;token&gt;</c>).</summary>
public sealed class ApiTokens(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>Every token starts with this, so a leaked one is easy to recognise (and to grep for).</summary>
    public const string TokenPrefix = "pp_";
    public const int MaxNameLength = 100;
    /// <summary>Last-used is written at most this often per token, so a busy script does not turn every read into a write.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>A new token for the user; the plain token is returned once and never stored.</summary>
    public async Task<(ApiTokenRecord Record, string Token)> CreateAsync(string userId, string name, CancellationToken ct)
    {
        name = (name ?? "").Trim();
        if (name.Length == 0) throw new ArgumentException("token name must not be empty");
        if (name.Length > MaxNameLength) throw new ArgumentException($"token name is longer than {MaxNameLength} characters");
        var token = TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct)) throw new KeyNotFoundException($"no user {userId}");
        var record = new ApiTokenRecord { UserId = userId, Name = name, Hash = Hash(token), Prefix = token[..(TokenPrefix.Length + 8)], CreatedAt = DateTime.UtcNow };
        db.ApiTokens.Add(record);
        await db.SaveChangesAsync(ct);
        return (record, token);
    }

    /// <summary>The token's record (with its user) or null for an unknown or revoked token; records the use.</summary>
    public async Task<ApiTokenRecord?> ResolveAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || !token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 200) return null;
        var hash = Hash(token);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var record = await db.ApiTokens.Include(t => t.User).FirstOrDefaultAsync(t => t.Hash == hash, ct);
        if (record?.User == null) return null;
        var now = DateTime.UtcNow;
        if (record.LastUsedAt == null || now - record.LastUsedAt > LastUsedResolution)
        {
            record.LastUsedAt = now;
            await db.SaveChangesAsync(ct);
        }
        return record;
    }

    public async Task<List<ApiTokenRecord>> ListAsync(string userId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiTokens.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.Id).ToListAsync(ct);
    }

    /// <summary>Deletes one of the user's own tokens; false when the user has no token with that id.</summary>
    public async Task<bool> RevokeAsync(string userId, int tokenId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ApiTokens.Where(t => t.Id == tokenId && t.UserId == userId).ExecuteDeleteAsync(ct) > 0;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
