using Microsoft.EntityFrameworkCore;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;

namespace Portal.Cli.Commands;

/// <summary>
/// `portal user add NAME --role admin|researcher [--password P]`: creates an account in the portal database (applying
/// migrations first, so it works on a fresh install before the web has ever run) and prints a personal API token.
/// </summary>
public sealed class UserAddCommand : ICommand
{
    public string[] Path => ["user", "add"];
    public string Summary => "create a portal account (admin or researcher) and print a personal API token";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public async Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        if (args.Positionals.Count != 1) throw new CliException("usage: portal user add NAME --role admin|researcher [--password P] [--token-name N] [--data-root DIR]");
        var name = args.Positionals[0];
        var role = args.Required("role");
        if (!Roles.IsKnown(role)) throw new CliException($"--role must be one of {string.Join(", ", Roles.All)} (got '{role}')");
        var password = args.Get("password");
        var tokenName = args.Get("token-name") ?? "created by portal user add";
        var database = DatabasePath(args.Get("data-root"));
        args.EnsureAllUsed();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<PortalDbContext>(o => SqliteSetup.Configure(o, database));
        services.AddPortalIdentityCore();
        await using var sp = services.BuildServiceProvider();
        await using (var db = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(ct))
            SqliteSetup.Migrate(db);

        // Without --password the account still gets one (printed once), so the admin can also sign in in the browser.
        var generated = password == null ? AccountProvisioner.GeneratePassword() : null;
        PortalUser user;
        await using (var scope = sp.CreateAsyncScope())
        {
            try { user = await scope.ServiceProvider.GetRequiredService<AccountProvisioner>().AddUserAsync(name, role, password ?? generated); }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException) { throw new CliException(e.Message); }
        }
        var (record, token) = await sp.GetRequiredService<ApiTokens>().CreateAsync(user.Id, tokenName, ct);
        JsonOut.Write(new
        {
            user_name = user.UserName,
            user_id = user.Id,
            role,
            database,
            token,
            token_id = record.Id,
            token_name = record.Name,
            generated_password = generated,
        });
        return 0;
    }

    /// <summary>Same resolution as the web: --data-root, else Portal:DataRoot from the environment or the root appsettings.json.</summary>
    private static string DatabasePath(string? dataRootOption)
    {
        var settingsRoot = DataFolder.FindSettingsRoot();
        var dataRoot = dataRootOption
            ?? Environment.GetEnvironmentVariable("Portal__DataRoot") ?? Environment.GetEnvironmentVariable(DataFolder.DataRootKey)
            ?? (settingsRoot != null ? FromSettingsFile(System.IO.Path.Combine(settingsRoot, "appsettings.json")) : null)
            ?? DataFolder.DefaultDataRoot;
        var root = DataFolder.Resolve(dataRoot, dataRootOption != null ? Directory.GetCurrentDirectory() : settingsRoot ?? Directory.GetCurrentDirectory());
        Directory.CreateDirectory(root);
        return System.IO.Path.Combine(root, DataFolder.DatabaseFileName);
    }

    private static string? FromSettingsFile(string file)
    {
        if (!File.Exists(file)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return doc.RootElement.TryGetProperty("Portal", out var p) && p.TryGetProperty("DataRoot", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        }
        catch (JsonException e) { throw new CliException($"{file}: not valid JSON ({e.Message})"); }
    }
}
