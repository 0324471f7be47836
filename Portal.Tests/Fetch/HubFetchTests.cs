using System.Text.Json;
using Portal.Engine.Fetch;
using Portal.Tests.Support;

namespace Portal.Tests.Fetch;

/// <summary>hf-hub: ids resolved as open_clip does (safetensors first, then the .bin) against a local stand-in for the Hub.</summary>
public class HubFetchTests
{
    private const string Token = "hf_secretTOKEN_1234567890";

    private static FetchOptions Local(string? token = null) => new() { AllowedHosts = ["127.0.0.1", "localhost"], MaxAttempts = 1, BearerToken = token };

    private static LocalHttpServer Hub(Dictionary<string, byte[]> files) =>
        new(r => files.TryGetValue(r.Path, out var b) ? LocalHttpServer.ServeFile(r, b, "\"" + FetchTestData.Sha(b)[..16] + "\"") : new Reply(404, []));

    [Fact]
    public async Task Prefers_open_clip_model_safetensors()
    {
        var st = FetchTestData.Bytes(3000, 1);
        var bin = FetchTestData.Bytes(3000, 2);
        using var hub = Hub(new()
        {
            ["/chs20/FARE4-ViT-B-32-laion2B-s34B-b79K/resolve/main/open_clip_model.safetensors"] = st,
            ["/chs20/FARE4-ViT-B-32-laion2B-s34B-b79K/resolve/main/open_clip_pytorch_model.bin"] = bin,
        });
        using var dir = new FixturePaths.TempDir();
        var r = await new CheckpointFetcher(Local(), hub.BaseUrl).FetchAsync("hf-hub:chs20/FARE4-ViT-B-32-laion2B-s34B-b79K", dir.Path, null, null, CancellationToken.None);
        Assert.Equal("open_clip_model.safetensors", r.HubFile);
        Assert.Equal("main", r.Revision);
        Assert.Equal(FetchTestData.Sha(st), r.Download.Sha256);
        Assert.EndsWith(Path.Combine("chs20_FARE4-ViT-B-32-laion2B-s34B-b79K", "open_clip_model.safetensors"), r.Download.Path);
        Assert.DoesNotContain(hub.Requests, q => q.Path.EndsWith(".bin"));
    }

    [Fact]
    public async Task Falls_back_to_open_clip_pytorch_model_bin()
    {
        var bin = FetchTestData.Bytes(4000, 2);
        using var hub = Hub(new() { ["/chs20/tecoa4-clip/resolve/main/open_clip_pytorch_model.bin"] = bin });
        using var dir = new FixturePaths.TempDir();
        var r = await new CheckpointFetcher(Local(), hub.BaseUrl).FetchAsync("hf-hub:chs20/tecoa4-clip", dir.Path, FetchTestData.Sha(bin), null, CancellationToken.None);
        Assert.Equal("open_clip_pytorch_model.bin", r.HubFile);
        Assert.Equal(bin, File.ReadAllBytes(r.Download.Path));
        Assert.Contains(hub.Requests, q => q.Method == "HEAD" && q.Path.EndsWith("open_clip_model.safetensors"));
    }

    [Fact]
    public async Task A_named_file_and_revision_go_into_the_resolve_url()
    {
        var b = FetchTestData.Bytes(1000, 5);
        using var hub = Hub(new() { ["/org/repo/resolve/v1.0/sub/weights.pt"] = b });
        using var dir = new FixturePaths.TempDir();
        var r = await new CheckpointFetcher(Local(), hub.BaseUrl).FetchAsync("hf-hub:org/repo/sub/weights.pt", dir.Path, null, "v1.0", CancellationToken.None);
        Assert.Equal("sub/weights.pt", r.HubFile);
        Assert.Equal("v1.0", r.Revision);
        Assert.DoesNotContain(hub.Requests, q => q.Method == "HEAD"); // a named file is not probed
    }

    [Fact]
    public async Task Neither_file_is_a_clear_error()
    {
        using var hub = Hub(new());
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => new CheckpointFetcher(Local(), hub.BaseUrl).FetchAsync("hf-hub:org/empty", dir.Path, null, null, CancellationToken.None));
        Assert.Contains("open_clip_model.safetensors", e.Message);
        Assert.Contains("open_clip_pytorch_model.bin", e.Message);
    }

    [Theory]
    [InlineData("hf-hub:org")]
    [InlineData("hf-hub:org/../x")]
    [InlineData("hf-hub:org//x")]
    [InlineData("hf-hub:org/repo/a%2f..")]
    public void Malformed_hub_ids_are_refused(string id) => Assert.Throws<FetchException>(() => HubSource.Parse(id));

    [Fact]
    public async Task The_token_is_sent_as_a_bearer_header_to_the_hub_only_and_never_printed()
    {
        var b = FetchTestData.Bytes(2000, 6);
        LocalHttpServer? cdn = null;
        cdn = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, b, "\"c\""));
        // The hub redirects to a "CDN" on another origin (localhost vs 127.0.0.1), as the real Hub does for LFS files.
        using var hub = new LocalHttpServer(r => r.Path.EndsWith("open_clip_model.safetensors")
            ? new Reply(302, [], new() { ["Location"] = $"http://localhost:{cdn.Port}/blob?sig=abc" })
            : new Reply(404, []));
        using var _ = cdn;
        using var dir = new FixturePaths.TempDir();
        var r = await new CheckpointFetcher(Local(Token), hub.BaseUrl).FetchAsync("hf-hub:org/gated", dir.Path, null, null, CancellationToken.None);
        Assert.All(hub.Requests, q => Assert.Equal("Bearer " + Token, q.Header("authorization")));
        Assert.All(cdn.Requests, q => Assert.Null(q.Header("authorization")));
        Assert.DoesNotContain(Token, JsonSerializer.Serialize(r));
        Assert.Equal(b, File.ReadAllBytes(r.Download.Path));
    }

    [Fact]
    public async Task A_refused_request_does_not_put_the_token_in_the_message()
    {
        using var hub = new LocalHttpServer(_ => new Reply(401, []));
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => new CheckpointFetcher(Local(Token), hub.BaseUrl).FetchAsync("hf-hub:org/gated", dir.Path, null, null, CancellationToken.None));
        Assert.Contains("401", e.Message);
        Assert.DoesNotContain(Token, e.ToString());
    }
}
