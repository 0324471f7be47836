using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Tests.Cli;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Accounts;

/// <summary>Personal API tokens: create/list/revoke over the API, stored hashed, and the CLI's `user add` token.</summary>
public sealed class ApiTokenTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private string Data => Path.Combine(_dir.Path, "data");

    [Fact]
    public async Task Tokens_are_created_listed_used_and_revoked_and_only_their_hash_is_stored()
    {
        using var host = new PortalHost(Data, new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        var me = await TestAccounts.CreateAsync(host, Roles.Researcher);
        using var api = host.ApiWithToken(me.Token);

        var created = await host.PostJson(api, "/api/tokens", new { name = "laptop script" }, 201);
        var second = created.GetProperty("token").GetString()!;
        var secondId = created.GetProperty("id").GetInt32();
        Assert.StartsWith(ApiTokens.TokenPrefix, second);
        // 32 random bytes, base64url without padding.
        Assert.Equal(ApiTokens.TokenPrefix.Length + 43, second.Length);

        using var viaSecond = host.ApiWithToken(second);
        var who = await host.GetJson(viaSecond, "/api/account");
        Assert.Equal(me.UserName, who.GetProperty("user_name").GetString());
        Assert.Equal(new[] { "researcher" }, who.GetProperty("roles").EnumerateArray().Select(r => r.GetString()!).ToArray());

        var list = await host.GetJson(viaSecond, "/api/tokens");
        Assert.Equal(new[] { "tests", "laptop script" }, list.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToArray());
        Assert.All(list.EnumerateArray(), t => Assert.False(t.TryGetProperty("hash", out _)));
        Assert.All(list.EnumerateArray(), t => Assert.False(t.TryGetProperty("token", out _)));
        Assert.True(list[1].TryGetProperty("last_used_at", out var used) && used.ValueKind == System.Text.Json.JsonValueKind.String);

        // The database holds the SHA-256, never the token.
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.ApiTokens.SingleAsync(t => t.Id == secondId);
            Assert.Equal(ApiTokens.Hash(second), stored.Hash);
            Assert.DoesNotContain(await db.ApiTokens.Select(t => t.Hash).ToListAsync(), h => h.Contains(second[ApiTokens.TokenPrefix.Length..]));
        }

        // Someone else cannot revoke my token; I can, and it stops working at once.
        using var other = await host.ApiAs(Roles.Researcher);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/tokens/{secondId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/tokens/{secondId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await viaSecond.GetAsync("/api/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/tokens")).StatusCode);

        var empty = await api.PostAsync("/api/tokens", JsonContent.Create(new { name = " " }));
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("must not be empty", await empty.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Cli_user_add_prints_a_token_that_the_web_accepts_with_the_given_role()
    {
        var r = CliRunner.Run("user", "add", "carol", "--role", "researcher", "--password", "correct horse battery", "--data-root", Data);
        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = r.Json;
        Assert.Equal("carol", json.GetProperty("user_name").GetString());
        Assert.Equal(Path.Combine(Path.GetFullPath(Data), "portal.db"), json.GetProperty("database").GetString());
        Assert.False(json.TryGetProperty("generated_password", out _));
        var token = json.GetProperty("token").GetString()!;

        var again = CliRunner.Run("user", "add", "carol", "--role", "admin", "--data-root", Data);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("user 'carol' already exists", again.Stderr);
        var badRole = CliRunner.Run("user", "add", "dave", "--role", "boss", "--data-root", Data);
        Assert.Equal(2, badRole.ExitCode);
        Assert.Contains("--role must be one of admin, researcher", badRole.Stderr);

        using var host = new PortalHost(Data, new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        using var api = host.ApiWithToken(token);
        var who = await host.GetJson(api, "/api/account");
        Assert.True(who.GetProperty("authenticated").GetBoolean());
        Assert.Equal("carol", who.GetProperty("user_name").GetString());
        Assert.Equal("Bearer", who.GetProperty("scheme").GetString());
        await host.PostJson(api, "/api/encoders/builtin", new { name = "ssim", size = 16 });
        // A researcher, not an admin.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsync("/api/benchmarks", JsonContent.Create(new { name = "x", dataset_root = Data }))).StatusCode);
    }

    public void Dispose() => _dir.Dispose();
}
