using Npgsql;

namespace Portal.Tests.Support;

/// <summary>
/// A test that needs a PostgreSQL server: PORTAL_TEST_POSTGRES names one (a connection string to a role that may
/// create databases). `.ci/run` starts Debian's postgresql and sets it; elsewhere these tests are skipped, saying why.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "PORTAL_TEST_POSTGRES";
    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } s ? s : null;

    public PostgresFactAttribute()
    {
        if (Server == null) Skip = $"needs a PostgreSQL server in {Variable} (.ci/run starts one: apt-get install postgresql)";
    }
}

/// <summary>A fresh database on the test server, dropped afterwards.</summary>
public sealed class TestDatabase : IDisposable
{
    public TestDatabase()
    {
        Name = "portal_t_" + Guid.NewGuid().ToString("N")[..12];
        using var c = new NpgsqlConnection(PostgresFactAttribute.Server);
        c.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {Name}", c);
        cmd.ExecuteNonQuery();
        ConnectionString = new NpgsqlConnectionStringBuilder(PostgresFactAttribute.Server) { Database = Name }.ToString();
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using var c = new NpgsqlConnection(PostgresFactAttribute.Server);
        c.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", c);
        cmd.ExecuteNonQuery();
    }
}
