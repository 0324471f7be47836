using System.Diagnostics;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.JSInterop;
using MudBlazor.Services;
using Portal.Data.Entities;
using Portal.Web.Features.Leaderboard;

// Usage: dotnet run --project bench/LeaderboardBench -c Release -- [encoders=1000] [repeats=20]
// Builds a leaderboard of N encoders × 3 presets (clean, L∞ 4/255, L2 3; two splits each) from in-memory records and
// renders the real LeaderboardGrid component to HTML with Blazor's server-side HtmlRenderer. Reports the median of the
// repeats after warm-up, for building the rows and for rendering them (the database query is not included).
var encoders = args.Length > 0 ? int.Parse(args[0]) : 1000;
var repeats = args.Length > 1 ? int.Parse(args[1]) : 20;

var bench = new BenchmarkRecord { Id = 1, Name = "NIGHTS test", TaskKind = TaskKind.TwoAfc, Format = "nights", DatasetRoot = "/data", Split = "test", Splits = "test_imagenet,test_no_imagenet", VersionHash = "v" };
var rng = new Random(1);
var encs = Enumerable.Range(1, encoders).Select(i => new EncoderRecord
{
    Id = i, DisplayName = $"encoder-{i:D4}", Family = i % 3 == 0 ? "DINO" : "CLIP", Backbone = i % 2 == 0 ? "ViT-B/16" : "ConvNeXt-B",
    Description = i % 4 == 0 ? "FARE fine-tuned" : null, Sha256 = i.ToString("x64"), Status = EncoderStatus.Ready,
}).ToList();
var results = new List<ResultRecord>();
var configs = new[]
{
    new JobConfig { Attack = "none" },
    new JobConfig { Attack = "apgd", Norm = "linf", Eps = 4.0 / 255, Iterations = 100, Restarts = 1 },
    new JobConfig { Attack = "apgd", Norm = "l2", Eps = 3, Iterations = 100, Restarts = 1 },
};
var id = 0;
foreach (var e in encs)
    foreach (var c in configs)
    {
        var clean = 0.7 + rng.NextDouble() * 0.25;
        double? robust = c.IsAttack ? rng.NextDouble() * clean : null;
        results.Add(new ResultRecord
        {
            Metric = ResultMetrics.TwoAfcAccuracy, Id = ++id, JobId = id, EncoderId = e.Id, BenchmarkId = 1, EncoderSha256 = e.Sha256!, BenchmarkVersion = "v", ConfigKey = c.Key, Config = c, N = 1720,
            CleanValue = clean, RobustValue = robust, SanityPassed = true, FullJson = "{}", EngineVersion = "bench", Device = "cpu",
            Splits = [new ResultSplit { Name = "test_imagenet", CleanValue = clean, RobustValue = robust }, new ResultSplit { Name = "test_no_imagenet", CleanValue = clean, RobustValue = robust }],
        });
    }

var services = new ServiceCollection();
services.AddLogging();
services.AddSingleton<IJSRuntime, NoJs>();
services.AddMudServices();
await using var provider = services.BuildServiceProvider();
var loggerFactory = provider.GetRequiredService<ILoggerFactory>();

foreach (var pageSize in new[] { 100, 0 })
{
var build = new List<double>();
var render = new List<double>();
var htmlLength = 0;
for (var i = 0; i < repeats + 3; i++)
{
    var sw = Stopwatch.StartNew();
    var board = LeaderboardBuilder.ForBenchmark(bench, encs, results, []);
    var buildMs = sw.Elapsed.TotalMilliseconds;
    sw.Restart();
    await using var renderer = new HtmlRenderer(provider, loggerFactory);
    var html = await renderer.Dispatcher.InvokeAsync(async () =>
    {
        var output = await renderer.RenderComponentAsync<LeaderboardGrid>(ParameterView.FromDictionary(new Dictionary<string, object?>
        {
            [nameof(LeaderboardGrid.Board)] = board, [nameof(LeaderboardGrid.Rows)] = board.Rows, [nameof(LeaderboardGrid.InitialSort)] = true, [nameof(LeaderboardGrid.PageSize)] = pageSize,
        }));
        return output.ToHtmlString();
    });
    var renderMs = sw.Elapsed.TotalMilliseconds;
    if (i < 3) continue; // warm-up (JIT, first-render caches)
    build.Add(buildMs); render.Add(renderMs); htmlLength = html.Length;
}

Console.WriteLine($"leaderboard render: {encoders} encoders x 3 presets ({results.Count} results), {(pageSize == 0 ? $"all {encoders} rows on one page" : $"first page of {pageSize} rows + pager")}, {htmlLength / 1024} KiB of HTML");
Console.WriteLine($"  build rows   median {Median(build):F1} ms");
Console.WriteLine($"  render grid  median {Median(render):F1} ms");
Console.WriteLine($"  total        median {Median(build.Zip(render, (a, b) => a + b).ToList()):F1} ms (target < 100 ms)");
}
return 0;

static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }

/// <summary>Static rendering never calls JavaScript; MudBlazor's services only need one registered.</summary>
sealed class NoJs : IJSRuntime
{
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, object?[]? args) => ValueTask.FromResult(default(TValue)!);
    public ValueTask<TValue> InvokeAsync<TValue>(string identifier, CancellationToken cancellationToken, object?[]? args) => ValueTask.FromResult(default(TValue)!);
}
