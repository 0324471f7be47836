using System.Net;
using Portal.Engine.Fetch;
using Portal.Tests.Support;

namespace Portal.Tests.Fetch;

/// <summary>Redirects followed by hand (limit, loops, schemes) and the private-address guard on every hop.</summary>
public class RedirectAndAddressTests
{
    private static async Task<DownloadResult> Download(FetchOptions o, Uri url, string dest)
    {
        using var client = FetchHttp.CreateClient(o);
        return await new ResumableDownloader(client, o).DownloadAsync(url, dest, null, CancellationToken.None);
    }

    private static readonly FetchOptions Allow127 = new() { AllowedHosts = ["127.0.0.1"], MaxAttempts = 1 };

    private static Reply Redirect(string to) => new(302, [], new() { ["Location"] = to });

    [Fact]
    public async Task Redirects_are_followed_to_the_file()
    {
        var data = FetchTestData.Bytes(5000);
        using var server = new LocalHttpServer(r => r.Path switch
        {
            "/a" => Redirect("/b"),
            "/b" => Redirect("/c/file.bin"),
            _ => LocalHttpServer.ServeFile(r, data, "\"e\""),
        });
        using var dir = new FixturePaths.TempDir();
        var r = await Download(Allow127, server.Url("/a"), dir.File("f.bin"));
        Assert.EndsWith("/c/file.bin", r.ResolvedUrl);
        Assert.Equal(data, File.ReadAllBytes(dir.File("f.bin")));
    }

    [Fact]
    public async Task A_redirect_loop_is_a_clear_error()
    {
        using var server = new LocalHttpServer(r => Redirect(r.Path == "/a" ? "/b" : "/a"));
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Allow127, server.Url("/a"), dir.File("f.bin")));
        Assert.Contains("redirect loop", e.Message);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task More_redirects_than_the_limit_are_refused()
    {
        using var server = new LocalHttpServer(r => Redirect("/r" + (int.Parse(r.Path[2..]) + 1)));
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Allow127 with { MaxRedirects = 3 }, server.Url("/r0"), dir.File("f.bin")));
        Assert.Contains("more than 3 redirects", e.Message);
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public async Task A_redirect_to_another_scheme_is_refused()
    {
        using var server = new LocalHttpServer(_ => Redirect("file:///etc/passwd"));
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(Allow127, server.Url("/a"), dir.File("f.bin")));
        Assert.Contains("only http and https", e.Message);
    }

    [Fact]
    public async Task A_loopback_target_is_refused_unless_its_host_is_allowed()
    {
        using var server = new LocalHttpServer(r => LocalHttpServer.ServeFile(r, [1, 2, 3], "\"e\""));
        using var dir = new FixturePaths.TempDir();
        var e = await Assert.ThrowsAsync<FetchException>(() => Download(new FetchOptions { MaxAttempts = 1 }, server.Url("/f"), dir.File("f.bin")));
        Assert.Contains("refusing 127.0.0.1", e.Message);
        Assert.Empty(server.Requests); // refused before connecting
    }

    [Fact]
    public async Task A_redirect_to_a_private_address_is_refused_on_that_hop()
    {
        using var server = new LocalHttpServer(r => r.Path switch
        {
            "/to-localhost" => Redirect("http://localhost:9/x"),
            "/to-metadata" => Redirect("http://169.254.169.254/latest/meta-data/"),
            "/to-v6" => Redirect("http://[fd00::1]/x"),
            "/to-10" => Redirect("http://10.1.2.3/x"),
            _ => new Reply(404, []),
        });
        using var dir = new FixturePaths.TempDir();
        foreach (var (path, host) in new[] { ("/to-localhost", "localhost"), ("/to-metadata", "169.254.169.254"), ("/to-v6", "fd00::1"), ("/to-10", "10.1.2.3") })
        {
            var e = await Assert.ThrowsAsync<FetchException>(() => Download(Allow127, server.Url(path), dir.File("f.bin")));
            Assert.Contains("refusing", e.Message);
            Assert.Contains(host, e.Message);
        }
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("151.101.1.69", false)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:8.8.8.8", false)]
    [InlineData("2002:0a00:0001::1", true)]
    [InlineData("2606:4700::1111", false)]
    public void The_guard_knows_private_ranges(string ip, bool forbidden) => Assert.Equal(forbidden, AddressGuard.IsForbidden(IPAddress.Parse(ip)));
}
