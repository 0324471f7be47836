using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Engine.Retrieval;
using Portal.Tests.Retrieval;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Configuration;
using Portal.Web.Features.Retrieval;

namespace Portal.Tests.Web.Features.Retrieval;

/// <summary>Retrieval and detection jobs through the portal: registration, runners, stored metrics and evidence.</summary>
public sealed class RetrievalJobsTests(RetrievalPortalFixture fx) : IClassFixture<RetrievalPortalFixture>
{
    [Fact]
    public async Task Retrieval_jobs_store_map_medium_hard_and_evidence()
    {
        Assert.All(fx.Jobs, j => Assert.True(j.GetProperty("status").GetString() == "succeeded", j.ToString()));
        var results = await fx.Results(RetrievalDemo.RetrievalName);
        Assert.Equal(6, results.Count); // 3 encoders × clean + L∞ 4/255
        foreach (var r in results)
        {
            var full = await fx.Host.GetJson(fx.Anonymous, $"/api/results/{r.GetProperty("id").GetInt32()}");
            var engine = full.GetProperty("engine_result").GetProperty("result");
            // The headline is revisitop's mAP Medium, and the row says so; the splits are Medium and Hard, as the engine computed them.
            Assert.Equal("map-medium", r.GetProperty("metric").GetString());
            Assert.Equal(engine.GetProperty("map_clean").GetProperty("medium").GetDouble(), r.GetProperty("clean_value").GetDouble(), 9);
            var splits = r.GetProperty("splits").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s);
            Assert.Equal(["hard", "medium"], splits.Keys.Order());
            Assert.Equal(engine.GetProperty("map_clean").GetProperty("hard").GetDouble(), splits["hard"].GetProperty("clean_value").GetDouble(), 9);
            Assert.Equal(7, r.GetProperty("n").GetInt32());
            bool attacked = r.GetProperty("config").GetProperty("attack").GetString() == "apgd";
            Assert.Equal(attacked, r.GetProperty("robust_value").ValueKind == JsonValueKind.Number);
            if (attacked)
            {
                Assert.Equal(engine.GetProperty("map_robust").GetProperty("medium").GetDouble(), r.GetProperty("robust_value").GetDouble(), 9);
                Assert.True(r.GetProperty("sanity_passed").GetBoolean());
            }
        }

        // Evidence and records live in the job's folder; the result points at the evidence folder only.
        await using var db = await fx.Host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var paths = fx.Host.Services.GetRequiredService<DataPaths>();
        var rows = await db.Results.Include(r => r.Dataset).Where(r => r.Dataset!.Name == RetrievalDemo.RetrievalName).ToListAsync();
        foreach (var row in rows)
        {
            Assert.NotNull(row.ArtifactsDir);
            var dir = Path.Combine(paths.Artifacts, row.ArtifactsDir!);
            var index = JsonSerializer.Deserialize<EvidenceIndex>(File.ReadAllText(Path.Combine(dir, "index.json")), EvidenceWriter.Json)!;
            Assert.Equal(7, index.Items.Count);
            Assert.All(index.Items, i => Assert.True(File.Exists(Path.Combine(dir, i.Query)) && i.Clean.Count == 5));
            Assert.Equal(row.Config.IsAttack, index.Items.All(i => i.Adversarial != null && i.Attacked?.Count == 5));
            var records = File.ReadAllLines(Path.Combine(dir, "..", "records.jsonl"));
            Assert.Equal(1 + 7, records.Length); // fingerprint line + one record per query (resume store)
        }
        // The database was embedded once per encoder: the clean and attacked jobs share the cache.
        Assert.True(Directory.EnumerateFiles(Path.Combine(paths.Artifacts, "cache"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Detection_jobs_store_table_iii_rows_and_sensitive_evidence()
    {
        var results = await fx.Results(RetrievalDemo.DetectionName);
        Assert.Equal(6, results.Count);
        foreach (var r in results)
        {
            var full = await fx.Host.GetJson(fx.Anonymous, $"/api/results/{r.GetProperty("id").GetInt32()}");
            var det = full.GetProperty("engine_result").GetProperty("result").GetProperty("detectors")[0];
            var unsafeRow = det.GetProperty("clean").EnumerateArray().Single(c => c.GetProperty("true_class").GetString() == "unsafe");
            Assert.Equal("detection-rate", r.GetProperty("metric").GetString());
            Assert.Equal(unsafeRow.GetProperty("assigned").GetProperty("unsafe").GetDouble(), r.GetProperty("clean_value").GetDouble(), 9);
            var splits = r.GetProperty("splits").EnumerateArray().Select(s => s.GetProperty("name").GetString()).Order().ToList();
            Assert.Equal(["buffer", "safe", "unsafe"], splits);
            if (r.GetProperty("config").GetProperty("attack").GetString() == "apgd")
            {
                Assert.Equal(8.0 / 255, r.GetProperty("config").GetProperty("eps").GetDouble(), 9);
                var attacked = det.GetProperty("attacked").EnumerateArray().Single(a => a.GetProperty("source").GetString() == "unsafe");
                Assert.Equal("safe", attacked.GetProperty("target").GetString());
                Assert.Equal(attacked.GetProperty("assigned").GetProperty("unsafe").GetDouble(), r.GetProperty("robust_value").GetDouble(), 9);
            }
        }
        await using var db = await fx.Host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var paths = fx.Host.Services.GetRequiredService<DataPaths>();
        var attackedRow = await db.Results.Include(r => r.Dataset).FirstAsync(r => r.Dataset!.Name == RetrievalDemo.DetectionName && r.Config.Attack == "apgd");
        var index = JsonSerializer.Deserialize<EvidenceIndex>(File.ReadAllText(Path.Combine(paths.Artifacts, attackedRow.ArtifactsDir!, "index.json")), EvidenceWriter.Json)!;
        Assert.Equal(["unsafe"], index.SensitiveClasses);
        Assert.Contains(index.Items, i => i.QuerySensitive && i.TrueClass == "unsafe");
    }

    [Fact]
    public async Task Benchmarks_api_registers_retrieval_and_detection_layouts_and_names_what_is_wrong()
    {
        using var dir = new FixturePaths.TempDir();
        for (int i = 0; i < 4; i++) RetrievalTestData.WritePng(Path.Combine(dir.Path, "folder", "database", $"{i}.png"), (i * 0.2, 0.5, 1 - i * 0.2), i);
        using var admin = await fx.Host.ApiAs(Roles.Admin);
        var created = await fx.Host.PostJson(admin, "/api/benchmarks", new { name = "folder bench", dataset_root = Path.Combine(dir.Path, "folder"), format = "folder" }, 201);
        Assert.Equal("retrieval", created.GetProperty("task_kind").GetString());
        Assert.Equal(4, created.GetProperty("item_count").GetInt32());

        var bad = await fx.Host.PostJson(admin, "/api/benchmarks", new { name = "no pools", dataset_root = Path.Combine(dir.Path, "folder"), format = "detection" }, 404);
        Assert.Contains("pools", bad.GetProperty("error").GetString());
        var unknown = await fx.Host.PostJson(admin, "/api/benchmarks", new { name = "odd", dataset_root = dir.Path, format = "coco" }, 400);
        Assert.Contains("rworld", unknown.GetProperty("error").GetString());
        using var researcher = await fx.Host.ApiAs(Roles.Researcher);
        var refused = await researcher.PostAsync("/api/benchmarks", System.Net.Http.Json.JsonContent.Create(new { name = "x", dataset_root = dir.Path, format = "folder" }));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
