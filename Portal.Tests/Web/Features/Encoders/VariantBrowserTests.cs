using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Data.Entities;
using Portal.Engine.Checkpoints;
using Portal.Tests.Support;
using Portal.Tests.Web.Support;
using Portal.Web.Features.Encoders;
using TorchSharp;

namespace Portal.Tests.Web.Features.Encoders;

/// <summary>
/// A researcher in a real browser adds an MLP head to a registered encoder from its page, follows the link to the new
/// variant and sees it validated, linked to its parent and labelled in the fine-tuning row.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class VariantBrowserTests(BrowserFixture f)
{
    [BrowserFact]
    public async Task Researcher_adds_an_mlp_head_variant_from_the_encoder_page()
    {
        var services = f.Portal.Services;
        var reg = await services.GetRequiredService<EncoderRegistry>().RegisterServerFileAsync(
            Path.Combine(FixturePaths.Encoder("openclip-convnext-mini"), "model.safetensors"),
            new EncoderMetadata { Name = "ConvNeXt mini (variant parent)" }, CancellationToken.None);
        var queries = services.GetRequiredService<EncoderPageQueries>();
        var until = DateTime.UtcNow.AddMinutes(1);
        while ((await queries.DetailsAsync(reg.Encoder.Id, new System.Security.Claims.ClaimsPrincipal()))!.Encoder.Status == EncoderStatus.Validating && DateTime.UtcNow < until) await Task.Delay(100);

        var head = Path.Combine(f.Portal.DataRoot, "e2e-head.safetensors");
        torch.manual_seed(3);
        SafeTensors.Save(head, [new("fc1.weight", torch.randn(8, 32) * 0.3f), new("fc1.bias", torch.zeros(8)),
            new("fc2.weight", torch.randn(32, 8) * 0.3f), new("fc2.bias", torch.zeros(32))]);

        var (user, password) = await f.CreateResearcher();
        var page = await f.NewPage();
        await BrowserFixture.SignIn(page, user, password);
        await BrowserFixture.Open(page, $"/encoders/{reg.Encoder.Id}");
        await page.Locator("#variant-mlp").SetInputFilesAsync(head);
        await page.Locator("#variant-name").FillAsync("ConvNeXt mini + MLP (E2E)");
        await page.Locator("#variant-upload").ClickAsync();
        await page.Locator("#variant-link").WaitForAsync();
        Assert.Contains("validating", await page.Locator("#variant-message").InnerTextAsync());
        await f.Screenshot(page, "variant-form");

        await page.Locator("#variant-link").ClickAsync();
        await page.WaitForURLAsync(u => !u.EndsWith($"/encoders/{reg.Encoder.Id}"));
        await page.Locator("#encoder-name", new() { HasText = "ConvNeXt mini + MLP (E2E)" }).WaitForAsync();
        // The page follows validation live (no reload needed) until the variant is ready.
        await page.Locator(".encoder-status[data-status='ready']").WaitForAsync(new() { Timeout = 60_000 });
        Assert.Contains("MLP head", await page.Locator("#encoder-metadata").InnerTextAsync());
        Assert.Contains("ConvNeXt mini (variant parent)", await page.Locator(".variant-parent").InnerTextAsync());
        await f.Screenshot(page, "variant-page");
        await page.Context.CloseAsync();
    }
}
