using Microsoft.Extensions.DependencyInjection;
using Portal.Data.Accounts;
using Portal.Engine.Checkpoints;
using Portal.Engine.Demo.World;
using Portal.Engine.Encoders;
using Portal.Engine.Images;
using Portal.Engine.Training;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Jobs;
using Portal.Worker.Execution;
using Portal.Worker.Models;

namespace Portal.Tests.Web.Features.Robustify;

/// <summary>"Robustify (FARE)" jobs in the real portal: the shipped tiny demo encoder fine-tuned on a few world images.</summary>
public sealed class FareJobTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    /// <summary>A few demo-world scenes as PNGs in class folders (an ImageNet-style layout).</summary>
    private string Images(int count = 8)
    {
        var root = Path.Combine(_dir.Path, "fare-images");
        for (int i = 0; i < count; i++)
        {
            var path = Path.Combine(root, WorldClasses.Names[DemoWorld.ClassOf(i)], $"{i:00}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var img = DemoWorld.Quantised(0x7E57, i);
            ImageIO.SavePng(img, path);
        }
        return root;
    }

    private string DemoClean() => DemoWeights.ExtractTo(Path.Combine(_dir.Path, "demo-weights")).Clean;

    private static object Request(string folder, int steps) => new
    {
        image_folder = folder, eps_255 = 4, steps, batch_size = 4, learning_rate = 1e-3, inner_steps = 2, warmup = 1, seed = 3, state_every = 1,
    };

    /// <summary>Registering a server file is an admin's act; the encoder is then public for <paramref name="api"/>.</summary>
    private static async Task<int> RegisterReady(PortalHost host, HttpClient api, string path)
    {
        using var admin = await host.ApiAs(Roles.Admin);
        var e = await host.PostJson(admin, "/api/encoders/register", new { path, name = "demo clean", training_data = "zero-shot" });
        var id = e.GetProperty("encoder").GetProperty("id").GetInt32();
        await host.WaitFor(api, $"/api/encoders/{id}", x => x.GetProperty("status").GetString() == "ready");
        return id;
    }

    [Fact]
    public async Task Fare_job_registers_a_ready_child_encoder_linked_to_its_parent_and_queues_its_evaluations_in_one_call()
    {
        var images = Images();
        var bench = PortalTestData.Nights(_dir, count: 8, size: 64, seed: 5);
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var api = await host.ApiAs(Roles.Researcher);
        using (var admin = await host.ApiAs(Roles.Admin))
            await host.PostJson(admin, "/api/benchmarks", new { name = "tiny 2afc", dataset_root = bench }, 201);
        var parent = await RegisterReady(host, api, DemoClean());

        var submitted = await host.PostJson(api, $"/api/encoders/{parent}/robustify", Request(images, steps: 3), 201);
        Assert.Equal(JobQueue.Queued, submitted.GetProperty("outcome").GetString());
        var jobId = submitted.GetProperty("job").GetProperty("id").GetInt32();
        var end = await host.WaitForJobEnd(api, jobId, TimeSpan.FromMinutes(2));
        Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
        Assert.Equal(3, end.GetProperty("done").GetInt32());

        var lineage = await host.GetJson(api, $"/api/encoders/{parent}/lineage");
        var child = Assert.Single(lineage.GetProperty("children").EnumerateArray());
        var childId = child.GetProperty("id").GetInt32();
        Assert.Equal(parent, child.GetProperty("parent_encoder_id").GetInt32());
        var ready = await host.WaitFor(api, $"/api/encoders/{childId}", x => x.GetProperty("status").GetString() != "validating");
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        // Stored under checkpoints/ by sha256, like an upload; the bytes are the job's model.safetensors (the path is for admins).
        Assert.False(ready.TryGetProperty("storage_path", out _));
        using (var admin = await host.ApiAs(Roles.Admin))
            ready = await host.GetJson(admin, $"/api/encoders/{childId}");
        var stored = ready.GetProperty("storage_path").GetString()!;
        Assert.Equal(Path.Combine(host.DataRoot, "checkpoints", ready.GetProperty("sha256").GetString() + ".ckpt"), stored);
        Assert.Equal(FileHash.Sha256(Path.Combine(host.DataRoot, "artifacts", "jobs", jobId.ToString(), FareJob.ModelFile)), ready.GetProperty("sha256").GetString());
        Assert.NotEqual(FileHash.Sha256(DemoClean()), ready.GetProperty("sha256").GetString());
        // FARE trains on unlabeled images: the child learned no more perceptual data than its parent states.
        Assert.Equal("zero-shot", ready.GetProperty("training_data").GetString());

        // FARE image sets are not leaderboards.
        var boards = await host.GetJson(api, "/api/leaderboards");
        Assert.DoesNotContain("FARE images", boards.ToString());

        var queued = await host.PostJson(api, $"/api/encoders/{childId}/evaluate-standard?iterations=2", new { }, 201);
        var configs = queued.EnumerateArray().Select(j => j.GetProperty("job")).ToList();
        Assert.Equal(2, configs.Count);   // one 2AFC benchmark × clean + L∞ 4/255
        Assert.All(configs, j => Assert.Equal(childId, j.GetProperty("encoder_id").GetInt32()));
        Assert.Equal(["clean", "linf-4"], configs.Select(j => j.GetProperty("preset").GetString()!).Order().ToArray());
        foreach (var j in configs)
        {
            var e = await host.WaitForJobEnd(api, j.GetProperty("id").GetInt32(), TimeSpan.FromMinutes(2));
            Assert.True(e.GetProperty("status").GetString() == "succeeded", e.ToString());
        }

        // The same request again: the finished run is reused, not trained twice.
        var again = await host.PostJson(api, $"/api/encoders/{parent}/robustify", Request(images, steps: 3), 201);
        Assert.Equal(JobQueue.ReusedResult, again.GetProperty("outcome").GetString());
    }

    /// <summary>"Queue its evaluations" on a portal with a demo board: the child also gets the board's own L∞ 1/255 there, and only there.</summary>
    [Fact]
    public async Task Standard_evaluations_add_the_demo_boards_own_threat_model_on_demo_benchmarks_only()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        var benchmarks = host.Services.GetRequiredService<Portal.Web.Features.Benchmarks.BenchmarkRegistry>();
        var demo = await benchmarks.RegisterAsync(new Portal.Web.Features.Benchmarks.BenchmarkRequest("demo board", PortalTestData.Nights(_dir, count: 4, seed: 1), "nights", "test"), isDemo: true, CancellationToken.None);
        var real = await benchmarks.RegisterAsync(new Portal.Web.Features.Benchmarks.BenchmarkRequest("real board", PortalTestData.Nights(_dir, count: 4, seed: 2), "nights", "test"), isDemo: false, CancellationToken.None);
        var encoder = await host.Services.GetRequiredService<Portal.Web.Features.Encoders.EncoderRegistry>().RegisterBuiltinAsync("pixel-l2", 32, "Pixel L2", "baseline", CancellationToken.None);

        var jobs = await host.Services.GetRequiredService<Portal.Web.Features.Robustify.RobustifyService>().QueueStandardEvaluationsAsync(encoder.Id, null, CancellationToken.None, iterations: 2);
        string[] Presets(int bench) => jobs.Where(j => j.Job.DatasetId == bench).Select(j => j.Job.Preset).Order().ToArray();
        Assert.All(jobs, j => Assert.Equal(JobQueue.Queued, j.Outcome));
        Assert.Equal(["clean", "linf-4"], Presets(real.Id));
        Assert.Equal(["clean", Portal.Web.Features.Jobs.Presets.DemoLinf1, "linf-4"], Presets(demo.Id));
        Assert.All(jobs.Where(j => j.Job.Preset == Portal.Web.Features.Jobs.Presets.DemoLinf1), j => Assert.Equal(1.0 / 255, j.Job.Config.Eps, 12));
    }

    /// <summary>Holds the worker after a given FARE step until the host shuts down.</summary>
    private sealed class StopAfterStep(int step) : IEvaluationHooks
    {
        public readonly TaskCompletionSource Reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void AfterItemsStored(int jobId, int storedCount, CancellationToken jobToken)
        {
            if (storedCount != step) return;
            Reached.TrySetResult();
            jobToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task Interrupted_fare_job_resumes_from_its_state_to_the_weights_of_an_uninterrupted_run()
    {
        var images = Images();
        var parentPath = DemoClean();
        var data = Path.Combine(_dir.Path, "data");
        int jobId;
        var hook = new StopAfterStep(2);
        using (var host = new PortalHost(data, hooks: hook))
        using (var api = await host.ApiAs(Roles.Admin))
        {
            var parent = await RegisterReady(host, api, parentPath);
            jobId = (await host.PostJson(api, $"/api/encoders/{parent}/robustify", Request(images, steps: 4), 201)).GetProperty("job").GetProperty("id").GetInt32();
            await hook.Reached.Task.WaitAsync(TimeSpan.FromSeconds(90));
        } // host stopped mid-run, as a crash would leave it

        var state = FareState.TryRead(Path.Combine(data, "artifacts", "jobs", jobId.ToString(), FareJob.StateFolder));
        Assert.NotNull(state);
        Assert.Equal(2, state!.Step);

        string childSha;
        using (var host = new PortalHost(data))
        using (var api = host.Api())
        {
            var end = await host.WaitForJobEnd(api, jobId, TimeSpan.FromMinutes(2));
            Assert.True(end.GetProperty("status").GetString() == "succeeded", end.ToString());
            Assert.Equal(2, end.GetProperty("attempts").GetInt32());
            var result = await host.GetJson(api, $"/api/results/{end.GetProperty("result_id").GetInt32()}");
            var full = result.GetProperty("engine_result");
            Assert.True(full.GetProperty("resumed").GetBoolean());
            Assert.Equal(2, full.GetProperty("start_step").GetInt32());
            childSha = full.GetProperty("child_sha256").GetString()!;
        }

        // The same run in the engine without interruption ends with the same bytes (CPU, one libtorch thread).
        var options = new FareOptions
        {
            Eps = 4.0 / 255, Steps = 4, Seed = 3, BatchSize = 4, LearningRate = 1e-3, WeightDecay = 1e-4, WarmupSteps = 1,
            InnerSteps = 2, InnerStepSize = 1.0 / 255, StateEvery = 1,
        };
        var direct = FareJob.Run(new FareJobSpec(parentPath, images, Path.Combine(_dir.Path, "direct"), options), null, default);
        Assert.Equal(direct.ModelSha256, childSha);
    }

    [Fact]
    public async Task Robustify_needs_a_researcher_and_names_bad_requests()
    {
        var images = Images(4);
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var admin = await host.ApiAs(Roles.Admin);
        var parent = await RegisterReady(host, admin, DemoClean());

        using (var anonymous = host.Api())
        {
            var r = await anonymous.PostAsync($"/api/encoders/{parent}/robustify", System.Net.Http.Json.JsonContent.Create(Request(images, 2), options: PortalHost.Json));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, r.StatusCode);
        }
        using (var badToken = host.ApiWithToken("not-a-token"))
        {
            var r = await badToken.PostAsync($"/api/encoders/{parent}/robustify", System.Net.Http.Json.JsonContent.Create(Request(images, 2), options: PortalHost.Json));
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, r.StatusCode);
        }
        using var researcher = await host.ApiAs(Roles.Researcher);
        var missing = await host.PostJson(researcher, $"/api/encoders/{parent}/robustify", Request(Path.Combine(_dir.Path, "nowhere"), 2), 404);
        Assert.Contains("nowhere", missing.GetProperty("error").GetString());
        var badEps = await host.PostJson(researcher, $"/api/encoders/{parent}/robustify", new { image_folder = images, eps = -1, steps = 2 }, 400);
        Assert.Contains("eps", badEps.GetProperty("error").GetString());
        var builtin = await host.PostJson(admin, "/api/encoders/builtin", new { name = "pixel-l2", size = 32 });
        var refused = await host.PostJson(researcher, $"/api/encoders/{builtin.GetProperty("id").GetInt32()}/robustify", Request(images, 2), 409);
        Assert.Contains("pixel baseline", refused.GetProperty("error").GetString());
        Assert.Empty((await host.GetJson(admin, "/api/jobs")).EnumerateArray());
    }

    public void Dispose() => _dir.Dispose();
}
