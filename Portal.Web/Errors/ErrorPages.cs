using Microsoft.AspNetCore.Diagnostics;
using Portal.Web.Accounts;

namespace Portal.Web.Errors;

/// <summary>
/// Friendly pages for people, JSON for programs: unhandled exceptions and empty 4xx/5xx responses under /api answer
/// <c>{"error": ...}</c>; elsewhere they show the MudBlazor error page or the not-found page.
/// </summary>
public static class ErrorPages
{
    public const string ErrorPath = "/error";
    /// <summary>Empty error responses of pages are re-rendered by the status page (404 says what to open instead).</summary>
    public const string StatusPathFormat = "/status/{0}";

    public static void UsePortalErrorPages(this WebApplication app)
    {
        app.UseWhen(ctx => AccountsSetup.IsApi(ctx.Request), api =>
        {
            api.UseExceptionHandler(h => h.Run(async ctx =>
            {
                var e = ctx.Features.Get<IExceptionHandlerFeature>()?.Error;
                ctx.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await ctx.Response.WriteAsJsonAsync(new
                {
                    error = "unexpected server error; the server log has the details",
                    type = e?.GetType().Name,
                    request_id = System.Diagnostics.Activity.Current?.Id ?? ctx.TraceIdentifier,
                });
            }));
            api.UseStatusCodePages(async sc =>
            {
                var ctx = sc.HttpContext;
                var error = ctx.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => $"no API endpoint {ctx.Request.Method} {ctx.Request.Path}",
                    StatusCodes.Status405MethodNotAllowed => $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}",
                    StatusCodes.Status400BadRequest => "bad request (check the JSON body, the parameters and, for form posts, the antiforgery token)",
                    StatusCodes.Status401Unauthorized => "sign in or send a personal API token (Authorization: Bearer <token>)",
                    StatusCodes.Status403Forbidden => "your account's role does not allow this",
                    var code => $"HTTP {code}",
                };
                await ctx.Response.WriteAsJsonAsync(new { error });
            });
        });
        app.UseWhen(ctx => !AccountsSetup.IsApi(ctx.Request), web =>
        {
            web.UseExceptionHandler(ErrorPath, createScopeForErrors: true);
            web.UseStatusCodePagesWithReExecute(StatusPathFormat, createScopeForStatusCodePages: true);
        });
    }
}
