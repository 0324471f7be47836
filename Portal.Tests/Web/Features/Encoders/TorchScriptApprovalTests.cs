using System.Net;
using Portal.Data.Accounts;
using Portal.Tests.Checkpoints;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>
/// TorchScript is code: with the server-wide switch off, an uploaded TorchScript encoder waits (rejected, file kept)
/// until an admin allows that one checkpoint; a researcher cannot.
/// </summary>
public sealed class TorchScriptApprovalTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    [Fact]
    public async Task Only_an_admin_lets_one_torchscript_upload_load()
    {
        var probe = Path.Combine(_dir.Path, "probe.pt");
        TorchScriptEncoderTests.WriteProbe(probe);
        File.WriteAllText(probe + ".json", """{"image_size": 32, "name": "probe"}""");
        // The portal reads the recipe from a sidecar next to the stored file; register the file where it is.
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var admin = await host.ApiAs(Roles.Admin);

        var registered = await host.PostJson(admin, "/api/encoders/register", new { path = probe, name = "TorchScript probe" });
        var id = registered.GetProperty("encoder").GetProperty("id").GetInt32();
        var refused = await host.WaitFor(admin, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating");
        Assert.Equal("rejected", refused.GetProperty("status").GetString());
        Assert.Contains("allow-torchscript", refused.GetProperty("reject_reason").GetString());
        Assert.True(File.Exists(probe), "the checkpoint is kept for the admin's decision");

        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.PostAsync($"/api/encoders/{id}/allow-torchscript", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/encoders/{id}/allow-torchscript", null)).StatusCode);
        var ready = await host.WaitFor(admin, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating");
        Assert.True(ready.GetProperty("status").GetString() == "ready", ready.ToString());
        Assert.Equal(4, ready.GetProperty("embedding_dim").GetInt32());

        // A safetensors checkpoint is not TorchScript: nothing to allow.
        var st = await host.PostJson(admin, "/api/encoders/register",
            new { path = Path.Combine(FixturePaths.Encoder("openclip-vit-b32-mini"), "model.safetensors"), name = "mini" });
        var stId = st.GetProperty("encoder").GetProperty("id").GetInt32();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/encoders/{stId}/allow-torchscript", null)).StatusCode);
    }

    [Fact]
    public async Task A_module_that_crashes_libtorch_is_rejected_and_the_portal_keeps_running()
    {
        // An unknown operator: libtorch throws its compile error through the native boundary, which ends the process
        // that loads it (here: the probe child process, not the portal).
        var crash = Path.Combine(_dir.Path, "crash.pt");
        TorchScriptEncoderTests.WriteProbe(crash, code: TorchScriptEncoderTests.ProbeCode.Replace("torch.matmul(", "torch.no_such_operator("));
        File.WriteAllText(crash + ".json", """{"image_size": 32}""");
        var good = Path.Combine(_dir.Path, "good.pt");
        TorchScriptEncoderTests.WriteProbe(good);
        File.WriteAllText(good + ".json", """{"image_size": 32, "name": "probe"}""");

        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Engine:AllowTorchScript"] = "true" });
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var admin = await host.ApiAs(Roles.Admin);
        var id = (await host.PostJson(admin, "/api/encoders/register", new { path = crash, name = "crashing script" }))
            .GetProperty("encoder").GetProperty("id").GetInt32();
        var rejected = await host.WaitFor(admin, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating", TimeSpan.FromMinutes(2));
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        var reason = rejected.GetProperty("reject_reason").GetString()!;
        Assert.Contains("libtorch crashed while loading this TorchScript module", reason);
        Assert.Contains("Unknown builtin op: aten::no_such_operator", reason);   // libtorch's own message, from the probe's stderr
        Assert.True(File.Exists(crash), "a server file registered in place is never deleted");

        // Still serving, and a sound module validates through the same probe.
        Assert.Equal(HttpStatusCode.OK, (await researcher.GetAsync("/api/health")).StatusCode);
        var goodId = (await host.PostJson(admin, "/api/encoders/register", new { path = good, name = "sound script" }))
            .GetProperty("encoder").GetProperty("id").GetInt32();
        var ready = await host.WaitFor(admin, $"/api/encoders/{goodId}", e => e.GetProperty("status").GetString() != "validating", TimeSpan.FromMinutes(2));
        Assert.True(ready.GetProperty("status").GetString() == "ready", ready.ToString());
    }

    public void Dispose() => _dir.Dispose();
}
