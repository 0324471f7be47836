using System.Net;
using System.Net.Http.Json;
using Portal.Data.Accounts;
using Portal.Data.Entities;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Leaderboard;
using static Portal.Tests.Web.Support.WebTestData;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>
/// Issue 15 (item 2): the training-data column says what was stated or is known by construction, never a guess from the
/// name; a NIGHTS-tuned model is marked on NIGHTS boards; submitters state it on upload, admins correct it.
/// </summary>
public sealed class TrainingDataTests : IDisposable
{
    private readonly FixturePaths.TempDir _dir = new();

    private static LeaderboardRow RowOf(EncoderRecord e, string bench = "NIGHTS test")
    {
        var b = Bench(name: bench);
        return LeaderboardBuilder.ForBenchmark(b, [e], [Result(e, b, Clean(), 0.9, null)], []).Rows.Single();
    }

    [Fact]
    public void Stated_training_data_is_shown_and_a_name_is_never_read_as_one()
    {
        // A name that says DreamSim used to be read as "fine-tuned on NIGHTS": unstated is unstated.
        var unstated = Encoder(1, "DreamSim ensemble", description: "trained on NIGHTS, we think");
        Assert.Equal(EncoderRecord.TrainingNotStated, RowOf(unstated).TrainingData);
        Assert.False(RowOf(unstated).TrainedOnThisBenchmark);

        var stated = Encoder(2, "my model");
        stated.TrainingData = "fine-tuned on NIGHTS";
        Assert.Equal("fine-tuned on NIGHTS", RowOf(stated).TrainingData);
        Assert.True(RowOf(stated).TrainedOnThisBenchmark);                 // NIGHTS-tuned, ranked on NIGHTS: marked
        Assert.False(RowOf(stated, "BAPPS test").TrainedOnThisBenchmark);  // elsewhere it is out of distribution
    }

    [Fact]
    public void Without_a_statement_only_what_is_known_by_construction_is_shown()
    {
        var pixels = Encoder(1, "Pixel L2");
        pixels.IsBuiltin = true;
        Assert.Equal("none (pixels)", pixels.TrainingDataShown);
        var mlp = Encoder(2, "CLIP + MLP");
        mlp.MlpHeadPath = "/heads/mlp.pt";
        Assert.Equal("MLP on NIGHTS", mlp.TrainingDataShown);
        var lora = Encoder(3, "CLIP + LoRA");
        lora.LoraPath = "/heads/lora";
        Assert.Equal("LoRA on NIGHTS", lora.TrainingDataShown);
        var linked = Encoder(4, "a checkpoint");
        (linked.ReportedMethod, linked.ReportedBackbone, linked.ReportedTraining) = ("R-CLIP_F", "ConvNeXt-B", "zero-shot");
        Assert.Equal("zero-shot", linked.TrainingDataShown);
        // A statement wins over construction (a LoRA tuned on BAPPS says so).
        lora.TrainingData = "LoRA on BAPPS";
        Assert.Equal("LoRA on BAPPS", lora.TrainingDataShown);
    }

    [Fact]
    public async Task Submitters_state_it_on_upload_and_only_admins_change_it()
    {
        using var host = new PortalHost(Path.Combine(_dir.Path, "data"), new Dictionary<string, string?> { ["Portal:Worker:Enabled"] = "false" });
        using var researcher = await host.ApiAs(Roles.Researcher);
        using var admin = await host.ApiAs(Roles.Admin);
        var registered = await host.PostJson(admin, "/api/encoders/register",
            new { path = PortalTestData.FixtureCheckpoint(), name = "mini", training_data = "  fine-tuned on NIGHTS\u200B " });
        var id = registered.GetProperty("encoder").GetProperty("id").GetInt32();
        // Cleaned like every one-line field (trimmed, invisible characters removed).
        Assert.Equal("fine-tuned on NIGHTS", (await host.GetJson(researcher, $"/api/encoders/{id}")).GetProperty("training_data").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await researcher.PutAsJsonAsync($"/api/encoders/{id}/training-data", new { training_data = "zero-shot" })).StatusCode);
        var set = await admin.PutAsJsonAsync($"/api/encoders/{id}/training-data", new { training_data = "zero-shot" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("zero-shot", (await host.GetJson(researcher, $"/api/encoders/{id}")).GetProperty("training_data").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync($"/api/encoders/{id}/training-data", new { training_data = new string('x', 201) })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/encoders/9999/training-data", new { training_data = "zero-shot" })).StatusCode);
        // Cleared: not stated again.
        var cleared = await PortalHost.ReadJson(await admin.PutAsJsonAsync($"/api/encoders/{id}/training-data", new { training_data = (string?)null }));
        Assert.Equal(EncoderRecord.TrainingNotStated, cleared.GetProperty("training_data_shown").GetString());
    }

    public void Dispose() => _dir.Dispose();
}
