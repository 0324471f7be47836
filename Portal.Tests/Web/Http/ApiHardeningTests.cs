using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Http;

/// <summary>The security probe's findings on the API (issue 14): each test failed before its fix.</summary>
public sealed class ApiHardeningTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private PortalHost Host(IDictionary<string, string?>? settings = null)
    {
        var s = new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" }; // jobs stay queued: nothing runs
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) s[k] = v;
        return new PortalHost(Path.Combine(_dir.Path, "data"), s);
    }

    private static ByteArrayContent Bytes(byte[] b, string type = "application/octet-stream")
    {
        var c = new ByteArrayContent(b);
        c.Headers.TryAddWithoutValidation("Content-Type", type);
        return c;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Send(Task<HttpResponseMessage> request)
    {
        var r = await request;
        return (r.StatusCode, await PortalHost.ReadJson(r));
    }

    /// <summary>An encoder and a benchmark straight in the database (these tests need records, not evaluations).</summary>
    private static async Task<(int Encoder, int Benchmark)> Records(PortalHost host, string? submittedBy = null, EncoderStatus status = EncoderStatus.Ready)
    {
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var e = new EncoderRecord
        {
            DisplayName = "probe", Status = status, Sha256 = Guid.NewGuid().ToString("N"), StoragePath = "/srv/secret/models/probe.bin", SubmittedBy = submittedBy,
            RejectReason = status == EncoderStatus.Rejected ? "could not read /srv/secret/models/probe.bin: truncated" : null, CreatedAt = DateTime.UtcNow,
        };
        var b = new BenchmarkRecord { Name = "b-" + Guid.NewGuid().ToString("N")[..8], TaskKind = TaskKind.TwoAfc, Format = "nights", DatasetRoot = "/srv/secret/datasets/nights", Split = "test", ItemCount = 10, VersionHash = "v", CreatedAt = DateTime.UtcNow };
        db.Encoders.Add(e);
        db.Benchmarks.Add(b);
        await db.SaveChangesAsync();
        return (e.Id, b.Id);
    }

    [Fact]
    public async Task List_filters_take_the_documented_snake_case_names_and_unknown_values_or_names_are_400()
    {
        using var host = Host();
        using var admin = await host.ApiAs(Roles.Admin);
        var (enc, bench) = await Records(host);
        var (enc2, _) = await Records(host);
        await host.PostJson(admin, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "clean" } }, 201);
        await host.PostJson(admin, "/api/jobs", new { encoder_id = enc2, benchmark_id = bench, presets = new[] { "clean" } }, 201);

        Assert.Equal(2, (await host.GetJson(admin, "/api/jobs")).GetArrayLength());
        var mine = await host.GetJson(admin, $"/api/jobs?encoder_id={enc}");
        Assert.Equal(enc, Assert.Single(mine.EnumerateArray()).GetProperty("encoder_id").GetInt32());
        Assert.Single((await host.GetJson(admin, $"/api/jobs?encoderId={enc}")).EnumerateArray()); // the camelCase alias
        Assert.Equal(2, (await host.GetJson(admin, $"/api/jobs?benchmark_id={bench}&status=queued")).GetArrayLength());

        var (status, body) = await Send(admin.GetAsync("/api/jobs?status=bogus"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("unknown status 'bogus'", body.GetProperty("error").GetString());
        Assert.Contains("queued", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/jobs?status=1")).StatusCode); // numbers are not names
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/jobs?encoder=3")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/jobs?encoder_id=x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/encoders?status=gone")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/results?benchmarkid=1")).StatusCode);
        Assert.Equal(0, (await host.GetJson(admin, $"/api/results?benchmark_id={bench}")).GetArrayLength());
    }

    [Fact]
    public async Task Cancelling_a_finished_job_is_a_409_with_its_state()
    {
        using var host = Host();
        using var admin = await host.ApiAs(Roles.Admin);
        var (enc, bench) = await Records(host);
        var job = (await host.PostJson(admin, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "clean" } }, 201))[0].GetProperty("job").GetProperty("id").GetInt32();
        Assert.Equal("cancelled", (await host.PostJson(admin, $"/api/jobs/{job}/cancel", new { })).GetProperty("status").GetString());
        var (status, body) = await Send(admin.PostAsync($"/api/jobs/{job}/cancel", null));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("cancelled", body.GetProperty("state").GetString());
        Assert.Contains("nothing to cancel", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Server_paths_and_stacks_are_for_admins_only()
    {
        using var host = Host();
        using var admin = await host.ApiAs(Roles.Admin);
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var anon = host.Api();
        var (enc, bench) = await Records(host);
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.Jobs.Add(new JobRecord
            {
                EncoderId = enc, DatasetId = bench, Status = JobStatus.Failed, Error = "Could not find file '/srv/secret/data/uploads/abc.part'.",
                ErrorStack = "at Portal.Worker.Runners.TwoAfcJobRunner.RunAsync() in /src/Portal.Worker/Runners/TwoAfcJobRunner.cs:line 42", CreatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
            db.Results.Add(new ResultRecord
            {
                Metric = ResultMetrics.TwoAfcAccuracy, JobId = db.Jobs.First().Id, EncoderId = enc, DatasetId = bench, EncoderSha256 = "s", DatasetVersion = "v", ConfigKey = "none;limit=all", EngineVersion = "e", Device = "cpu",
                FullJson = """{"bad_items":[{"id":"7","path":"/srv/secret/datasets/nights/ref/7.png","reason":"Could not read /srv/secret/datasets/nights/ref/7.png"}]}""",
                CreatedAt = DateTime.UtcNow,
            });
            // A gallery's folder is a server path too (the rule is the dataset's, whichever table it sits in).
            db.Galleries.Add(new GalleryRecord { Name = "g-probe", TaskKind = TaskKind.FeatureInversion, DatasetRoot = "/srv/secret/datasets/galleries/g", VersionHash = "v", CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        var resultId = (await host.GetJson(anon, "/api/results"))[0].GetProperty("id").GetInt32();
        var scrubbed = (await host.GetJson(anon, $"/api/results/{resultId}")).GetProperty("engine_result").GetProperty("bad_items")[0];
        Assert.Equal("…/7.png", scrubbed.GetProperty("path").GetString());
        Assert.Equal("Could not read …/7.png", scrubbed.GetProperty("reason").GetString());
        Assert.Contains("/srv/secret", (await host.GetJson(admin, $"/api/results/{resultId}")).ToString());
        foreach (var c in new[] { anon, researcher })
        {
            var text = (await host.GetJson(c, "/api/encoders")).ToString() + await host.GetJson(c, "/api/jobs") + await host.GetJson(c, "/api/benchmarks")
                + await host.GetJson(c, $"/api/encoders/{enc}") + await host.GetJson(c, $"/api/benchmarks/{bench}") + await host.GetJson(c, "/api/galleries");
            Assert.DoesNotContain("/srv/secret", text);
            Assert.DoesNotContain("TwoAfcJobRunner.cs", text);
            Assert.DoesNotContain("storage_path", text);
            var job = (await host.GetJson(c, "/api/jobs"))[0];
            Assert.Equal("Could not find file '…/abc.part'.", job.GetProperty("error").GetString()); // the reason stays readable
            Assert.False(job.TryGetProperty("error_stack", out _));
        }
        var adminView = (await host.GetJson(admin, "/api/jobs"))[0];
        Assert.Contains("TwoAfcJobRunner.cs", adminView.GetProperty("error_stack").GetString());
        Assert.Equal("/srv/secret/models/probe.bin", (await host.GetJson(admin, $"/api/encoders/{enc}")).GetProperty("storage_path").GetString());
        Assert.Equal("/srv/secret/datasets/nights", (await host.GetJson(admin, $"/api/benchmarks/{bench}")).GetProperty("dataset_root").GetString());
        Assert.Equal("/srv/secret/datasets/galleries/g", Assert.Single((await host.GetJson(admin, "/api/galleries")).EnumerateArray()).GetProperty("dataset_root").GetString());
    }

    [Fact]
    public async Task Rejected_encoders_are_shown_to_their_submitter_and_admins_only_and_the_submitter_may_delete_them()
    {
        using var host = Host();
        var owner = await TestAccounts.CreateAsync(host, Roles.Researcher);
        using var mine = host.ApiWithToken(owner.Token);
        using var other = await host.ApiAs(Roles.Researcher);
        using var admin = await host.ApiAs(Roles.Admin);
        using var anon = host.Api();
        var (rejected, _) = await Records(host, owner.UserId, EncoderStatus.Rejected);
        var (ready, _) = await Records(host, owner.UserId);

        foreach (var c in new[] { anon, other })
        {
            Assert.DoesNotContain((await host.GetJson(c, "/api/encoders")).EnumerateArray(), e => e.GetProperty("id").GetInt32() == rejected);
            Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/api/encoders/{rejected}")).StatusCode);
        }
        Assert.DoesNotContain("could not read", await anon.GetStringAsync("/encoders"));
        Assert.Contains((await host.GetJson(mine, "/api/encoders")).EnumerateArray(), e => e.GetProperty("id").GetInt32() == rejected);
        Assert.Contains((await host.GetJson(admin, "/api/encoders")).EnumerateArray(), e => e.GetProperty("id").GetInt32() == rejected);

        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/encoders/{rejected}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.DeleteAsync($"/api/encoders/{ready}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await mine.DeleteAsync($"/api/encoders/{rejected}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/encoders/{rejected}")).StatusCode);
        // Unused: the submitter may delete it; once it has a job, only an admin.
        var (enc, bench) = await Records(host, owner.UserId);
        await host.PostJson(mine, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "clean" } }, 201);
        await host.PostJson(admin, "/api/jobs/1/cancel", new { });
        var (status, body) = await Send(mine.DeleteAsync($"/api/encoders/{enc}"));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("only an admin", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await mine.DeleteAsync($"/api/encoders/{ready}")).StatusCode);
    }

    [Fact]
    public async Task Metadata_is_bounded_links_are_http_only_and_names_lose_invisible_characters()
    {
        using var host = Host();
        using var researcher = await host.ApiAs(Roles.Researcher);
        var body = Bytes([1, 2, 3, 4]);
        foreach (var (query, expect) in new[]
        {
            ("paper_url=" + Uri.EscapeDataString("javascript:alert(document.cookie)"), "paper_url must be an absolute http"),
            ("license_url=" + Uri.EscapeDataString("data:text/html,<script>alert(1)</script>"), "license_url must be an absolute http"),
            ("name=" + new string('x', 201), "name is 201 characters long; the limit is 200"),
            ("description=" + new string('x', 10_001), "description is 10001 characters long; the limit is 10000"),
        })
        {
            var (status, json) = await Send(researcher.PostAsync("/api/encoders/upload?" + query, Bytes([1, 2, 3, 4])));
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains(expect, json.GetProperty("error").GetString());
        }
        // A name that would render reversed ("gpj.exe" as "exe.jpg") or carries zero-width characters is stored without them.
        var (ok, reg) = await Send(researcher.PostAsync("/api/encoders/upload?name=" + Uri.EscapeDataString("R-CLIP\u202Egpj\u200B.exe") + "&paper_url=https://arxiv.org/abs/2502.11725", body));
        Assert.Equal(HttpStatusCode.Accepted, ok);
        Assert.Equal("R-CLIPgpj.exe", reg.GetProperty("encoder").GetProperty("display_name").GetString());

        // Records written before the check are shown as text, not as a link.
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var e = await db.Encoders.SingleAsync();
            e.PaperUrl = "javascript:alert(1)";
            e.Status = EncoderStatus.Ready;
            await db.SaveChangesAsync();
        }
        var id = reg.GetProperty("encoder").GetProperty("id").GetInt32();
        var page = await researcher.GetStringAsync($"/encoders/{id}");
        Assert.Contains("javascript:alert(1)", page);
        Assert.DoesNotContain("href=\"javascript:", page);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")")]
    [InlineData("+cmd", "'+cmd")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-0.25", "-0.25")]
    [InlineData("ViT-B/32", "ViT-B/32")]
    public void Csv_cells_that_a_spreadsheet_would_run_are_defused_and_numbers_stay_numbers(string cell, string written) =>
        Assert.Equal(written.Contains(',') || written.Contains('"') ? "\"" + written.Replace("\"", "\"\"") + "\"" : written, Portal.Web.Http.CsvCell.Escape(cell));

    [Fact]
    public async Task Uploads_take_octet_stream_only()
    {
        using var host = Host();
        using var researcher = await host.ApiAs(Roles.Researcher);
        foreach (var type in new[] { "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x" })
        {
            var (status, body) = await Send(researcher.PostAsync("/api/encoders/upload?name=x", Bytes([1, 2, 3], type)));
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
            Assert.Contains("application/octet-stream", body.GetProperty("error").GetString());
        }
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(0, await db.Encoders.CountAsync());
    }

    [Fact]
    public async Task Job_requests_are_capped_per_role_and_queued_jobs_per_account()
    {
        using var host = Host(new Dictionary<string, string?> { ["Portal:Limits:Researcher:MaxQueuedJobs"] = "2" });
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var admin = await host.ApiAs(Roles.Admin);
        var (enc, bench) = await Records(host);
        object Config(int iterations, int restarts) => new { encoder_id = enc, benchmark_id = bench, config = new { attack = "apgd", norm = "linf", eps = 4 / 255.0, iterations, restarts, seed = 0 } };

        var (status, body) = await Send(researcher.PostAsync("/api/jobs", System.Net.Http.Json.JsonContent.Create(Config(10_000, 1), options: PortalHost.Json)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Portal:Limits:Researcher:MaxIterations", body.GetProperty("error").GetString());
        (status, body) = await Send(researcher.PostAsync("/api/jobs", System.Net.Http.Json.JsonContent.Create(Config(100, 100), options: PortalHost.Json)));
        Assert.Contains("Portal:Limits:Researcher:MaxRestarts", body.GetProperty("error").GetString());
        await host.PostJson(admin, "/api/jobs", Config(10_000, 1), 201); // an admin's caps are higher

        await host.PostJson(researcher, "/api/jobs", new { encoder_id = enc, benchmark_id = bench, presets = new[] { "clean", "linf-4" } }, 201);
        (status, body) = await Send(researcher.PostAsync("/api/jobs", System.Net.Http.Json.JsonContent.Create(new { encoder_id = enc, benchmark_id = bench, presets = new[] { "l2-3" } }, options: PortalHost.Json)));
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("Portal:Limits:Researcher:MaxQueuedJobs", body.GetProperty("error").GetString());
    }

    [Fact]
    public void A_failed_storage_write_is_507_or_503_not_500()
    {
        Assert.Equal(507, Portal.Web.Http.StorageFaults.Status(new DbUpdateException("save failed", new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13))));
        Assert.Equal(503, Portal.Web.Http.StorageFaults.Status(new Microsoft.Data.Sqlite.SqliteException("disk I/O error", 10)));
        Assert.Equal(507, Portal.Web.Http.StorageFaults.Status(new IOException("No space left on device : '/data/uploads/x.tmp'")));
        Assert.Null(Portal.Web.Http.StorageFaults.Status(new IOException("file in use")));
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Item 19 at the host level: a background service that fails (a write the disk refused) does not stop the web.</summary>
public sealed class BackgroundFaultTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private sealed class FailingWrite : Microsoft.Extensions.Hosting.BackgroundService
    {
        public static readonly TaskCompletionSource Thrown = new(TaskCreationOptions.RunContinuationsAsynchronously);
        protected override async Task ExecuteAsync(CancellationToken stop)
        {
            await Task.Delay(100, stop);
            Thrown.TrySetResult();
            throw new Microsoft.Data.Sqlite.SqliteException("database or disk is full", 13);
        }
    }

    [Fact]
    public async Task A_background_service_that_throws_leaves_the_web_serving()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        using var faulty = host.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddHostedService<FailingWrite>()));
        using var c = faulty.CreateClient();
        await FailingWrite.Thrown.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(500);
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync("/api/health")).StatusCode);
        Assert.False(faulty.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
    }

    public void Dispose() => _dir.Dispose();
}
