using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Retrieval;

namespace Portal.Tests.Web.Features.Retrieval;

/// <summary>
/// One portal (demo off) on which the retrieval/detection demo is seeded through its own service: generated demo-world
/// benchmarks in the rworld and detection layouts, the shipped demo encoders + pixel L2, and their jobs run to the end.
/// </summary>
public sealed class RetrievalPortalFixture : IAsyncLifetime
{
    private readonly FixturePaths.TempDir _dir = new();
    public PortalHost Host { get; private set; } = default!;
    public HttpClient Anonymous { get; private set; } = default!;
    public List<JsonElement> Jobs { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Host = new PortalHost(_dir.Path);
        Anonymous = Host.Api();
        await Host.Services.GetRequiredService<RetrievalDemo>().SeedAsync(32, CancellationToken.None);
        // 3 encoders × 2 benchmarks × (clean + attacked), queued once the shipped encoders are validated.
        var until = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var jobs = (await Host.GetJson(Anonymous, "/api/jobs")).EnumerateArray().ToList();
            if (jobs.Count >= 12 && jobs.All(j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "cancelled")) { Jobs = jobs; break; }
            if (DateTime.UtcNow > until) throw new TimeoutException("demo retrieval jobs did not finish: " + string.Join(", ", jobs.Select(j => j.GetProperty("status").GetString())));
            await Task.Delay(200);
        }
    }

    public async Task<List<JsonElement>> Results(string benchmarkName)
    {
        var benches = (await Host.GetJson(Anonymous, "/api/benchmarks")).EnumerateArray();
        var id = benches.Single(b => b.GetProperty("name").GetString() == benchmarkName).GetProperty("id").GetInt32();
        return (await Host.GetJson(Anonymous, $"/api/results?benchmarkId={id}")).EnumerateArray().ToList();
    }

    public Task DisposeAsync()
    {
        Anonymous.Dispose();
        Host.Dispose();
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
