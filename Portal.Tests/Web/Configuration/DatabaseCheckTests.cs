using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Data;
using Portal.Tests.Cli;
using Portal.Tests.Support;
using Portal.Web.Configuration;

namespace Portal.Tests.Web.Configuration;

/// <summary>The portal's own database as a fault source (issue 14, item 20): checked at start-up, backed up online.</summary>
public sealed class DatabaseCheckTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    /// <summary>A database with a table spread over many pages and an index, so damage lands on a b-tree page.</summary>
    private string Database(string name)
    {
        var path = Path.Combine(_dir.Path, name);
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX iv ON t(v);" +
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 3000) INSERT INTO t(v) SELECT printf('row %08d %s', i, hex(randomblob(40))) FROM n;";
        cmd.ExecuteNonQuery();
        return path;
    }

    [Fact]
    public void Quick_check_passes_a_sound_file_and_names_the_damage_in_a_damaged_one_and_startup_reports_it()
    {
        var sound = Database("sound.db");
        Assert.Equal(["ok"], SqliteSetup.QuickCheck(sound));

        var bytes = File.ReadAllBytes(sound);
        var pageSize = (bytes[16] << 8) | bytes[17];
        for (var i = 10 * pageSize + 8; i < 10 * pageSize + 200; i++) bytes[i] ^= 0x5A; // scramble the cells of one page
        var data = Path.Combine(_dir.Path, "data");
        Directory.CreateDirectory(data);
        File.WriteAllBytes(Path.Combine(data, DataFolder.DatabaseFileName), bytes);
        Assert.NotEqual(["ok"], SqliteSetup.QuickCheck(Path.Combine(data, DataFolder.DatabaseFileName)));

        Assert.Contains("failed SQLite's integrity check", PortalDatabase.Check(new PortalOptions(), new DataPaths(data), NullLogger.Instance));
        Assert.Null(PortalDatabase.Check(new PortalOptions(), new DataPaths(Path.Combine(_dir.Path, "empty")), NullLogger.Instance)); // no file yet: nothing to say
    }

    [Fact]
    public void Portal_data_backup_copies_the_live_database_and_checks_the_copy()
    {
        var data = Path.Combine(_dir.Path, "live");
        Directory.CreateDirectory(data);
        File.Move(Database("live.db"), Path.Combine(data, DataFolder.DatabaseFileName));
        var target = Path.Combine(_dir.Path, "backup.db");
        var r = CliRunner.RunWith(new Dictionary<string, string> { ["Portal__DataRoot"] = data }, "data", "backup", "--to", target);
        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout);
        Assert.Contains("quick_check ok", r.Stdout);
        using var c = new SqliteConnection($"Data Source={target};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM t";
        Assert.Equal(3000L, cmd.ExecuteScalar());
        var again = CliRunner.RunWith(new Dictionary<string, string> { ["Portal__DataRoot"] = data }, "data", "backup", "--to", target);
        Assert.NotEqual(0, again.ExitCode); // never over an existing file
    }

    public void Dispose() => _dir.Dispose();
}
