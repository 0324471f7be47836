using System.IO.Compression;
using System.Net;
using System.Text;
using Portal.Data.Accounts;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>Hostile or broken uploads through the HTTP API end rejected with a reason, store nothing, and leave the server healthy.</summary>
public sealed class HostileUploadTests : IDisposable, IAsyncLifetime
{
    private readonly FixturePaths.TempDir _dir = new();
    private readonly PortalHost _host;
    private HttpClient _api = null!;

    public HostileUploadTests()
    {
        _host = new PortalHost(_dir.Path, new Dictionary<string, string?> { ["Portal:MaxUploadBytes"] = (1 << 20).ToString() });
    }

    // Uploading needs a signed-in researcher: the client carries a real personal API token.
    public async Task InitializeAsync() => _api = await _host.ApiAs(Roles.Researcher);

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)> Upload(byte[] bytes, string name)
    {
        var r = await _api.PostAsync($"/api/encoders/upload?name={name}", CheckpointContent.Of(bytes));
        return (r.StatusCode, await PortalHost.ReadJson(r));
    }

    private async Task<System.Text.Json.JsonElement> EndState(System.Text.Json.JsonElement body)
    {
        var id = body.GetProperty("encoder").GetProperty("id").GetInt32();
        return await _host.WaitFor(_api, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating");
    }

    private void AssertNothingStored()
    {
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "checkpoints")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "uploads")));
    }

    private async Task AssertHealthy()
    {
        var h = await _host.GetJson(_api, "/api/health");
        Assert.Equal("ok", h.GetProperty("status").GetString());
    }

    /// <summary>torch.save's zip layout with a data.pkl that calls posix.system("touch MARKER") when unpickled by Python.</summary>
    private static byte[] PickleWithCode(string marker)
    {
        var cmd = Encoding.ASCII.GetBytes("touch " + marker);
        var pkl = new MemoryStream();
        pkl.Write([0x80, 0x02]);                                  // PROTO 2
        pkl.Write(Encoding.ASCII.GetBytes("cposix\nsystem\n"));     // GLOBAL posix.system
        pkl.WriteByte((byte)'X'); pkl.Write(BitConverter.GetBytes(cmd.Length)); pkl.Write(cmd); // BINUNICODE
        pkl.Write([0x85, (byte)'R', (byte)'.']);                 // TUPLE1 REDUCE STOP
        var zip = new MemoryStream();
        using (var a = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var s = a.CreateEntry("archive/data.pkl", CompressionLevel.NoCompression).Open()) s.Write(pkl.ToArray());
            using (var s = a.CreateEntry("archive/version", CompressionLevel.NoCompression).Open()) s.Write("3\n"u8);
        }
        return zip.ToArray();
    }

    [Fact]
    public async Task Pickle_that_calls_code_is_rejected_naming_the_global_and_nothing_runs()
    {
        var marker = Path.Combine(_dir.Path, "pwned");
        var (status, body) = await Upload(PickleWithCode(marker), "evil");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var e = await EndState(body);
        Assert.Equal("rejected", e.GetProperty("status").GetString());
        Assert.Contains("system", e.GetProperty("reject_reason").GetString());
        Assert.False(File.Exists(marker));
        AssertNothingStored();
        await AssertHealthy();
    }

    [Fact]
    public async Task Truncated_safetensors_is_rejected_with_reason()
    {
        var good = await File.ReadAllBytesAsync(PortalTestData.FixtureCheckpoint());
        var (status, body) = await Upload(good[..(good.Length / 2)], "truncated");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var e = await EndState(body);
        Assert.Equal("rejected", e.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("reject_reason").GetString()));
        Assert.False(e.TryGetProperty("storage_path", out _)); // never shown to a researcher; AssertNothingStored checks the file
        AssertNothingStored();
        await AssertHealthy();
    }

    [Fact]
    public async Task Upload_over_the_size_limit_is_refused_while_streaming()
    {
        // Chunked (no Content-Length), so the limit is enforced on the bytes as they arrive, not on a declared size.
        var content = CheckpointContent.Typed(new StreamContent(new MemoryStream(new byte[(1 << 20) + 4096])));
        var r = await _api.PostAsync("/api/encoders/upload?name=huge", content);
        var body = await PortalHost.ReadJson(r);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        Assert.Equal("rejected", body.GetProperty("status").GetString());
        Assert.Contains("size limit", body.GetProperty("reason").GetString());
        AssertNothingStored();
        await AssertHealthy();
    }

    [Fact]
    public async Task Declared_length_over_the_limit_is_refused_before_reading()
    {
        var content = CheckpointContent.Of(new byte[(1 << 20) + 1]);
        var r = await _api.PostAsync("/api/encoders/upload?name=declared", content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, r.StatusCode);
        AssertNothingStored();
    }

    [Fact]
    public async Task Empty_upload_is_rejected()
    {
        var (status, body) = await Upload([], "empty");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("rejected", body.GetProperty("status").GetString());
        Assert.Contains("empty", body.GetProperty("reason").GetString());
        AssertNothingStored();
        await AssertHealthy();
    }

    public void Dispose()
    {
        _api.Dispose();
        _host.Dispose();
        _dir.Dispose();
    }
}
