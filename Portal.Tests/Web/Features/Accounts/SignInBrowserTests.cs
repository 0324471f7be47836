using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Portal.Data.Accounts;
using Portal.Tests.Web.Support;

namespace Portal.Tests.Web.Features.Accounts;

/// <summary>A researcher in a real browser: refused the submit page until signed in, signs in, makes an API token, signs out.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInBrowserTests(BrowserFixture f)
{
    [BrowserFact]
    public async Task Researcher_signs_in_from_the_submit_page_creates_a_token_and_signs_out()
    {
        var name = await BrowserSignIn.CreateUserAsync(f.Portal.Services, Roles.Researcher);

        var page = await f.NewPage();
        await page.GotoAsync("/submit");
        // Anonymous: sent to the sign-in form, which remembers where to return.
        await page.WaitForURLAsync(u => u.Contains("/account/signin") && u.Contains("submit"));
        await f.Screenshot(page, "signin-form");
        await BrowserSignIn.SubmitFormAsync(page, name);
        Assert.EndsWith("/submit", page.Url);
        await page.Locator("#interactive-marker[data-interactive='true']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Contains(name, await page.Locator("#user-menu").InnerTextAsync(), StringComparison.OrdinalIgnoreCase); // buttons show upper case
        Assert.True(await page.Locator("#checkpoint-file").CountAsync() > 0, "the upload input is shown to a signed-in researcher");
        await f.Screenshot(page, "signed-in-submit");

        await BrowserFixture.Open(page, "/account/tokens");
        await page.GetByLabel("Token name (e.g. laptop script)").FillAsync("browser");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var shown = await page.Locator("#new-token code").InnerTextAsync();
        Assert.StartsWith(ApiTokens.TokenPrefix, shown);
        using (var http = new HttpClient { BaseAddress = new Uri(f.Portal.BaseUrl) })
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", shown.Trim());
            var who = await http.GetFromJsonAsync<JsonElement>("/api/account");
            Assert.Equal(name, who.GetProperty("user_name").GetString());
        }

        await page.GotoAsync("/account/signout");
        await page.ClickAsync("#signout-submit");
        await page.Locator("#signin-link").WaitForAsync();
        await page.GotoAsync("/submit");
        await page.WaitForURLAsync(u => u.Contains("/account/signin"));
        await page.Context.CloseAsync();
    }
}
