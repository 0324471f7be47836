using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Data;
using Portal.Data.Accounts;
using Portal.Engine.Checkpoints;
using Portal.Tests.Encoders;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Encoders;
using Portal.Web.Features.Leaderboard;
using TorchSharp;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>
/// The paper's fine-tuned variants through the portal: a researcher adds an MLP head or a LoRA adapter to a registered
/// encoder; the variant shares its parent's checkpoint, is validated and evaluated as its own encoder (the head/adapter
/// really changes the embedding), identical submissions reuse one record, and bad files or requests say why.
/// </summary>
public sealed class EncoderVariantTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();
    private const string ConvNext = "openclip-convnext-mini";   // embedding dimension 32

    private string MlpHead(string name, int dim)
    {
        torch.manual_seed(11);
        var path = Path.Combine(_dir.Path, name);
        SafeTensors.Save(path, [new("mlp.fc1.weight", torch.randn(8, dim) * 0.3f), new("mlp.fc1.bias", torch.zeros(8)),
            new("mlp.fc2.weight", torch.randn(dim, 8) * 0.3f), new("mlp.fc2.bias", torch.zeros(dim))]);
        return path;
    }

    private (string Config, string Model) Lora()
    {
        torch.manual_seed(12);
        var folder = Path.Combine(_dir.Path, "lora");
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "adapter_config.json");
        File.WriteAllText(config, JsonSerializer.Serialize(new { peft_type = "LORA", r = 4, lora_alpha = 4, target_modules = new[] { "fc1" } }));
        var model = Path.Combine(folder, "adapter_model.safetensors");
        const string module = "base_model.model.model.trunk.stages.0.blocks.0.mlp.fc1";
        SafeTensors.Save(model, [new($"{module}.lora_A.weight", torch.randn(4, 16)), new($"{module}.lora_B.weight", torch.randn(64, 4))]);
        return (config, model);
    }

    private static MultipartFormDataContent Form(params (string Field, string Path)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (field, path) in files)
        {
            var content = new ByteArrayContent(File.ReadAllBytes(path));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(content, field, Path.GetFileName(path));
        }
        return form;
    }

    private static async Task<(int Status, JsonElement Body)> Post(HttpClient c, string url, HttpContent content)
    {
        var r = await c.PostAsync(url, content);
        return ((int)r.StatusCode, await PortalHost.ReadJson(r));
    }

    private static async Task<int> Ready(PortalHost host, HttpClient c, JsonElement registered)
    {
        var id = registered.GetProperty("encoder").GetProperty("id").GetInt32();
        var e = await host.WaitFor(c, $"/api/encoders/{id}", x => x.GetProperty("status").GetString() != "validating");
        Assert.True(e.GetProperty("status").GetString() == "ready", e.ToString());
        return id;
    }

    /// <summary>The ConvNeXt mini fixture registered in place and validated: the parent of the variants.</summary>
    private static async Task<int> RegisterParent(PortalHost host, HttpClient researcher, string name)
    {
        using var admin = await host.ApiAs(Roles.Admin); // registering a server file is an admin's act
        return await Ready(host, researcher, await host.PostJson(admin, "/api/encoders/register",
            new { path = EncoderFixtures.File(ConvNext, "model.safetensors"), name }));
    }

    [Fact]
    public async Task Mlp_and_lora_variants_share_the_parent_checkpoint_and_change_the_embedding()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var researcher = await host.ApiAs(Roles.Researcher);
        var parentId = await RegisterParent(host, researcher, "R-CLIP ConvNeXt mini (FARE)");

        var head = MlpHead("head.safetensors", 32);
        var (status, body) = await Post(researcher, $"/api/encoders/{parentId}/variants", Form(("mlp_head", head)));
        Assert.True(status == 202, body.ToString());
        var mlpId = await Ready(host, researcher, body);
        var (config, model) = Lora();
        (status, body) = await Post(researcher, $"/api/encoders/{parentId}/variants?name=mini%20%2B%20LoRA", Form(("lora_config", config), ("lora_model", model)));
        Assert.True(status == 202, body.ToString());
        var loraId = await Ready(host, researcher, body);

        await using var db = await host.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var parent = await db.Encoders.SingleAsync(e => e.Id == parentId);
        var mlp = await db.Encoders.SingleAsync(e => e.Id == mlpId);
        var lora = await db.Encoders.SingleAsync(e => e.Id == loraId);
        Assert.Equal((parentId, parent.StoragePath, false), (mlp.ParentEncoderId!.Value, mlp.StoragePath, mlp.OwnsFile));
        Assert.Equal(EncoderVariants.Identity(parent.Sha256!, FileHash.Sha256(head), null, null), mlp.Sha256);
        Assert.True(File.Exists(mlp.MlpHeadPath) && mlp.MlpHeadPath!.StartsWith(host.DataRoot), mlp.MlpHeadPath);
        Assert.True(File.Exists(Path.Combine(lora.LoraPath!, "adapter_config.json")));
        Assert.Equal("mini + LoRA", lora.DisplayName);
        Assert.Equal("R-CLIP ConvNeXt mini (FARE) + MLP", mlp.DisplayName);
        Assert.Equal(("FARE (unsupervised adv.) + MLP head", true), FineTuning.Of(mlp));
        Assert.Equal(32, mlp.EmbeddingDim);

        // What the worker evaluates: the head and the adapter are part of the model, so embeddings differ from the parent's.
        EmbeddingsDiffer(host.WorkerServices.GetRequiredService<Portal.Worker.Models.ModelFactory>(), parent, mlp, lora);

        // The same files again: the same record (and so the same results), not a second encoder.
        (status, body) = await Post(researcher, $"/api/encoders/{parentId}/variants", Form(("mlp_head", head)));
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(mlpId, body.GetProperty("encoder").GetProperty("id").GetInt32());

        // The parent cannot be deleted while variants load its checkpoint.
        using var admin = await host.ApiAs(Roles.Admin);
        var refused = await admin.DeleteAsync($"/api/encoders/{parentId}");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains($"variant(s) {mlpId}, {loraId}", (await PortalHost.ReadJson(refused)).GetProperty("error").GetString());
        // Deleting a variant removes its adapter copy, never the parent's checkpoint.
        Assert.True((await admin.DeleteAsync($"/api/encoders/{mlpId}")).IsSuccessStatusCode);
        Assert.False(Directory.Exists(Path.GetDirectoryName(mlp.MlpHeadPath)));
        Assert.True(File.Exists(parent.StoragePath));
    }

    // Synchronous on purpose: grad mode and dispose scopes are per thread, so they must not span an await.
    private static void EmbeddingsDiffer(Portal.Worker.Models.ModelFactory models, Portal.Data.Entities.EncoderRecord parent, params Portal.Data.Entities.EncoderRecord[] variants)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = EncoderFixtures.Images(ConvNext)[..2];
        using var p = models.Create(parent);
        var ep = p.Embed(x);
        foreach (var v in variants)
        {
            using var m = models.Create(v);
            Assert.False(ep.allclose(m.Embed(x), 1e-4, 1e-4), $"{v.DisplayName}: the head/adapter must change the embedding");
        }
    }

    [Fact]
    public async Task Bad_variants_are_refused_with_the_reason()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"));
        using var researcher = await host.ApiAs(Roles.Researcher);
        var parentId = await RegisterParent(host, researcher, "mini");
        var (config, model) = Lora();

        // Anonymous visitors cannot add variants.
        using var anonymous = host.Api();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync($"/api/encoders/{parentId}/variants", Form(("mlp_head", MlpHead("h.safetensors", 32))))).StatusCode);

        async Task<string> Refused(string url, HttpContent content, int expected)
        {
            var (s, b) = await Post(researcher, url, content);
            Assert.True(s == expected, $"{url}: expected {expected}, got {s} {b}");
            return b.GetProperty("error").GetString()!;
        }
        Assert.Contains("needs both files", await Refused($"/api/encoders/{parentId}/variants", Form(("lora_config", config)), 400));
        Assert.Contains("unexpected file field", await Refused($"/api/encoders/{parentId}/variants", Form(("weights", model)), 400));
        Assert.Contains("should end with", await Refused($"/api/encoders/{parentId}/variants", Form(("mlp_head", config)), 400));
        Assert.Contains("no encoder 999", await Refused("/api/encoders/999/variants", Form(("mlp_head", MlpHead("h2.safetensors", 32))), 404));

        // A head for another embedding size is stored, then rejected by validation with the engine's reason; its copy goes.
        var (status, body) = await Post(researcher, $"/api/encoders/{parentId}/variants", Form(("mlp_head", MlpHead("wide.safetensors", 64))));
        Assert.Equal(202, status);
        var id = body.GetProperty("encoder").GetProperty("id").GetInt32();
        var rejected = await host.WaitFor(researcher, $"/api/encoders/{id}", e => e.GetProperty("status").GetString() != "validating");
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Contains("embedding dimension 32", rejected.GetProperty("reject_reason").GetString());
        var sha = rejected.GetProperty("sha256").GetString()!;
        Assert.False(Directory.Exists(Path.Combine(host.DataRoot, "checkpoints", "adapters", sha)));

        // A variant of a variant: add the file to the parent instead.
        var (s2, b2) = await Post(researcher, $"/api/encoders/{parentId}/variants", Form(("lora_config", config), ("lora_model", model)));
        var loraId = await Ready(host, researcher, b2);
        Assert.Contains("is itself a variant", await Refused($"/api/encoders/{loraId}/variants", Form(("mlp_head", MlpHead("h3.safetensors", 32))), 400));
    }

    public void Dispose() => _dir.Dispose();
}
