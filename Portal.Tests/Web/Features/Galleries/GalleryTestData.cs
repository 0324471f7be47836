using System.Net;
using System.Text.Json;
using Portal.Engine.Demo.World;
using Portal.Engine.Images;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using TorchSharp;

namespace Portal.Tests.Web.Features.Galleries;

/// <summary>Targets and encoders for gallery tests: generated images and the shipped demo encoders (64×64, fast).</summary>
public static class GalleryTestData
{
    /// <summary><paramref name="count"/> smooth random colour images of different sizes (48×40 …) in a new folder.</summary>
    public static string Images(FixturePaths.TempDir dir, int count = 2)
    {
        var folder = Path.Combine(dir.Path, "targets");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < count; i++)
        {
            using var scope = torch.NewDisposeScope();
            using var g = new torch.Generator((ulong)(100 + i), torch.CPU);
            var coarse = torch.rand([1, 3, 4, 4], generator: g);
            var img = torch.nn.functional.interpolate(coarse, [40 + 8 * i, 48], mode: torch.InterpolationMode.Bilinear, align_corners: false)[0];
            ImageIO.SavePng(img, Path.Combine(folder, $"img{i}.png"));
        }
        return folder;
    }

    /// <summary>Uploads a checkpoint through the API and waits until it is validated.</summary>
    public static async Task<int> UploadEncoder(PortalHost host, HttpClient api, string path, string name)
    {
        var up = await api.PostAsync($"/api/encoders/upload?name={Uri.EscapeDataString(name)}&submitter=tests", CheckpointContent.Of(await File.ReadAllBytesAsync(path)));
        var body = await PortalHost.ReadJson(up);
        Assert.True(up.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, body.ToString());
        var id = body.GetProperty("encoder").GetProperty("id").GetInt32();
        var e = await host.WaitFor(api, $"/api/encoders/{id}", x => x.GetProperty("status").GetString() != "validating");
        Assert.True(e.GetProperty("status").GetString() == "ready", e.ToString());
        return id;
    }

    public static (string Clean, string Fare) DemoEncoders(FixturePaths.TempDir dir) => DemoWeights.ExtractTo(Path.Combine(dir.Path, "weights"));

    /// <summary>
    /// A tiny CLIP vocabulary file in open_clip's plain layout (header, then merges): 512 byte symbols + 7 merges + SOT/EOT
    /// = 521 ids, inside the mini fixture's 1024-token text tower (the real vocabulary may not be committed).
    /// </summary>
    public static string TinyVocabulary(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "tiny_vocab.txt");
        File.WriteAllText(path, "#tiny test vocabulary\nc a\nca t</w>\nd o\ndo g</w>\na </w>\nt h\nth e</w>\n");
        return path;
    }

    /// <summary>The ViT-B/32 mini fixture: a whole OpenCLIP checkpoint (image + text tower; text heads 2).</summary>
    public static string ClipWithTextTower() => PortalTestData.FixtureCheckpoint("openclip-vit-b32-mini");

    public static int Id(JsonElement e) => e.GetProperty("id").GetInt32();
}
