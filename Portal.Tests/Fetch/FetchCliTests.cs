using Portal.Tests.Cli;
using Portal.Tests.Support;

namespace Portal.Tests.Fetch;

/// <summary>`portal fetch` and `portal datasets fetch` as a user runs them (child process), against the local server.</summary>
public class FetchCliTests
{
    private const string Token = "hf_cliSECRET_abcdef0123456789";

    [Fact]
    public void Fetch_prints_path_bytes_sha_and_urls_and_never_the_token()
    {
        var st = FetchTestData.Bytes(20_000, 7);
        using var hub = new LocalHttpServer(r => r.Path == "/chs20/tecoa4-clip/resolve/main/open_clip_model.safetensors"
            ? LocalHttpServer.ServeFile(r, st, "\"s\"") : new Reply(404, []));
        using var dir = new FixturePaths.TempDir();
        var res = CliRunner.RunWith(new Dictionary<string, string> { ["MY_TOKEN"] = Token },
            "fetch", "hf-hub:chs20/tecoa4-clip", "--to", dir.Path, "--hub-url", hub.BaseUrl, "--allow-host", "127.0.0.1", "--token-env", "MY_TOKEN");
        Assert.True(res.ExitCode == 0, res.Stderr);
        var j = res.Json;
        Assert.Equal(FetchTestData.Sha(st), j.GetProperty("sha256").GetString());
        Assert.Equal(st.Length, j.GetProperty("bytes").GetInt64());
        Assert.Equal("main", j.GetProperty("revision").GetString());
        Assert.EndsWith("/chs20/tecoa4-clip/resolve/main/open_clip_model.safetensors", j.GetProperty("resolved_url").GetString());
        Assert.True(File.Exists(j.GetProperty("path").GetString()));
        Assert.All(hub.Requests, q => Assert.Equal("Bearer " + Token, q.Header("authorization")));
        Assert.DoesNotContain(Token, res.Stdout + res.Stderr);
    }

    [Fact]
    public void A_wrong_sha256_exits_2_naming_both_hashes()
    {
        var data = FetchTestData.Bytes(5000, 8);
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, data, "\"e\""));
        using var dir = new FixturePaths.TempDir();
        var wrong = new string('b', 64);
        var res = CliRunner.Run("fetch", server.BaseUrl + "/w.safetensors", "--to", dir.Path, "--sha256", wrong, "--allow-host", "127.0.0.1", "--quiet");
        Assert.Equal(2, res.ExitCode);
        Assert.Contains(wrong, res.Stderr);
        Assert.Contains(FetchTestData.Sha(data), res.Stderr);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void A_local_address_is_refused_without_allow_host()
    {
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, [1], "\"e\""));
        using var dir = new FixturePaths.TempDir();
        var res = CliRunner.Run("fetch", server.BaseUrl + "/x.bin", "--to", dir.Path, "--quiet");
        Assert.Equal(2, res.ExitCode);
        Assert.Contains("refusing 127.0.0.1", res.Stderr);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void Datasets_fetch_prints_the_folder_and_the_registration_then_a_rerun_does_nothing()
    {
        using var server = new LocalHttpServer(r => r.Path == "/nights/nights.zip" ? LocalHttpServer.ServeFile(r, FetchTestData.FakeNightsZip(), "\"n\"") : new Reply(404, []));
        using var dir = new FixturePaths.TempDir();
        var res = CliRunner.Run("datasets", "fetch", "nights", "--to", dir.Path, "--base-url", server.BaseUrl, "--allow-host", "127.0.0.1");
        Assert.True(res.ExitCode == 0, res.Stderr);
        var folder = res.Json.GetProperty("folder").GetString()!;
        Assert.Equal(Path.Combine(dir.Path, "nights"), folder);
        Assert.Contains("/api/benchmarks", res.Json.GetProperty("register")[0].GetString());
        Assert.False(res.Json.GetProperty("already_complete").GetBoolean());
        var n = server.Requests.Count;
        var again = CliRunner.Run("datasets", "fetch", "nights", "--to", dir.Path, "--base-url", server.BaseUrl, "--allow-host", "127.0.0.1");
        Assert.Equal(0, again.ExitCode);
        Assert.True(again.Json.GetProperty("already_complete").GetBoolean());
        Assert.Equal(n, server.Requests.Count);
    }
}
