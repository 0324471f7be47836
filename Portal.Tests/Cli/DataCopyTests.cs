using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Cli;

/// <summary>`portal data copy`: an embedded portal moves to PostgreSQL and a new storage root with everything it had.</summary>
public sealed class DataCopyTests : IDisposable
{
    private readonly FixturePaths.TempDir _embedded = new(), _scaled = new(), _datasets = new();
    private readonly TestDatabase _db = new();

    public void Dispose()
    {
        _db.Dispose();
        _embedded.Dispose();
        _scaled.Dispose();
        _datasets.Dispose();
    }

    [PostgresFact]
    public async Task Embedded_portal_moves_to_postgres_with_its_records_files_and_tokens()
    {
        int encoderId, resultCount;
        double clean;
        string token;
        using (var host = new PortalHost(_embedded.Path))
        {
            var admin = await TestAccounts.CreateAsync(host, Roles.Admin);
            token = admin.Token;
            using var api = host.ApiWithToken(token);
            var up = await api.PostAsync("/api/encoders/upload?name=clip-mini", CheckpointContent.Of(await File.ReadAllBytesAsync(PortalTestData.FixtureCheckpoint())));
            encoderId = (await PortalHost.ReadJson(up)).GetProperty("encoder").GetProperty("id").GetInt32();
            await host.WaitFor(api, $"/api/encoders/{encoderId}", e => e.GetProperty("status").GetString() == "ready");
            var bench = await host.PostJson(api, "/api/benchmarks", new { name = "tiny", dataset_root = PortalTestData.Nights(_datasets, count: 8, size: 32), format = "nights", split = "test" }, 201);
            var jobs = await host.PostJson(api, "/api/jobs", new { encoder_id = encoderId, benchmark_id = bench.GetProperty("id").GetInt32(), presets = new[] { "clean" } }, 201);
            var done = await host.WaitForJobEnd(api, jobs[0].GetProperty("job").GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
            Assert.Equal("succeeded", done.GetProperty("status").GetString());
            Assert.Equal("2afc-accuracy", done.GetProperty("metric").GetString());   // what the job's numbers are
            clean = done.GetProperty("clean_value").GetDouble();
            resultCount = (await host.GetJson(api, "/api/results")).GetArrayLength();
            // A gallery and a FARE image set under the data folder: their rows (own tables) and folders move too.
            await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            db.Galleries.Add(new GalleryRecord { Name = "g", TaskKind = TaskKind.TextInversion, DatasetRoot = Path.Combine(_embedded.Path, "datasets", "galleries", "g"), VersionHash = "vg", CreatedAt = DateTime.UtcNow });
            db.TrainingImageSets.Add(new TrainingImageSetRecord { Name = "FARE images: x", TaskKind = TaskKind.Fare, DatasetRoot = Path.Combine(_embedded.Path, "datasets", "fare"), VersionHash = "vi", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }

        var copy = CliRunner.RunWith(new Dictionary<string, string> { ["Portal__DataRoot"] = _embedded.Path },
            "data", "copy", "--to-postgres", _db.ConnectionString, "--data-root", _scaled.Path);
        Assert.True(copy.ExitCode == 0, copy.Stderr);
        Assert.Equal(1, copy.Json.GetProperty("rows").GetProperty("encoders").GetInt32());
        Assert.Equal(3, copy.Json.GetProperty("rows").GetProperty("datasets").GetInt32());   // each once, with its kind's table
        var o = new DbContextOptionsBuilder<PortalDbContext>();
        PostgresSetup.Configure(o, _db.ConnectionString);
        await using (var pg = new PortalDbContext(o.Options))
        {
            Assert.Equal("tiny", pg.Benchmarks.Single().Name);
            Assert.Equal(Path.Combine(_scaled.Path, "datasets", "galleries", "g"), pg.Galleries.Single().DatasetRoot);
            Assert.Equal(Path.Combine(_scaled.Path, "datasets", "fare"), pg.TrainingImageSets.Single().DatasetRoot);
        }
        Assert.Single(Directory.GetFiles(Path.Combine(_scaled.Path, "checkpoints")));

        using var scaled = new PortalHost(_scaled.Path, new Dictionary<string, string?>
        {
            ["Portal:Database:Provider"] = "postgres",
            ["Portal:Database:ConnectionString"] = _db.ConnectionString,
        });
        using var again = scaled.ApiWithToken(token); // the admin's API token came along
        var results = await scaled.GetJson(again, "/api/results");
        Assert.Equal(resultCount, results.GetArrayLength());
        Assert.Equal(clean, results[0].GetProperty("clean_value").GetDouble());
        var enc = await scaled.GetJson(again, $"/api/encoders/{encoderId}");
        Assert.Equal("ready", enc.GetProperty("status").GetString());
        // New rows continue after the copied ids, and the copied checkpoint (now under the new root) still evaluates.
        var bench2 = await scaled.PostJson(again, "/api/benchmarks", new { name = "tiny 2", dataset_root = PortalTestData.Nights(_datasets, count: 6, size: 32, seed: 9), format = "nights", split = "test" }, 201);
        var job = await scaled.PostJson(again, "/api/jobs", new { encoder_id = encoderId, benchmark_id = bench2.GetProperty("id").GetInt32(), presets = new[] { "clean" } }, 201);
        var jobId = job[0].GetProperty("job").GetProperty("id").GetInt32();
        Assert.True(jobId > 1);
        var end = await scaled.WaitForJobEnd(again, jobId, TimeSpan.FromMinutes(2));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
    }
}
