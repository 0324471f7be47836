using Portal.Web.Features.Accounts;

using Portal.Web.Http;

namespace Portal.Web.Errors;

/// <summary>
/// Friendly pages for people, JSON for programs: unhandled exceptions and empty 4xx/5xx responses under /api answer
/// <c>{"error": ...}</c>; elsewhere they show the MudBlazor error page or the status page (404: what to open instead).
/// </summary>
public static class ErrorPages
{
    public const string ErrorPath = "/error";
    public const string StatusPathFormat = "/status/{0}";

    public static void UsePortalErrorPages(this WebApplication app)
    {
        // Outer handlers re-execute page requests (they must sit in the main pipeline: that is where routing is re-run).
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = ErrorPath,
            CreateScopeForErrors = true,
            // A malformed request (e.g. an unreadable form) is the client's error, not the server's.
            StatusCodeSelector = e => e is BadHttpRequestException b ? b.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePagesWithReExecute(StatusPathFormat, createScopeForStatusCodePages: true);

        // Inner handlers answer /api first, so the page handlers above never see an API failure.
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Portal.Web.Errors");
        app.UseWhen(ctx => AccountsSetup.IsApi(ctx.Request), api =>
        {
            api.Use(async (ctx, next) =>
            {
                try { await next(ctx); }
                catch (Exception e) when (!ctx.Response.HasStarted && !ctx.RequestAborted.IsCancellationRequested)
                {
                    var storage = StorageFaults.Status(e);
                    var status = storage ?? (e is BadHttpRequestException b ? b.StatusCode : StatusCodes.Status500InternalServerError);
                    var requestId = System.Diagnostics.Activity.Current?.Id ?? ctx.TraceIdentifier;
                    if (status >= 500) log.LogError(e, "unhandled error on {Method} {Path} (request {RequestId})", ctx.Request.Method, ctx.Request.Path, requestId);
                    ctx.Response.Clear();
                    ctx.Response.StatusCode = status;
                    await ctx.Response.WriteAsJsonAsync(new
                    {
                        error = storage is int s ? StorageFaults.Message(s) : status >= 500 ? "unexpected server error; the server log has the details" : e.Message,
                        type = e.GetType().Name,
                        request_id = requestId,
                    });
                }
            });
            api.UseStatusCodePages(async sc =>
            {
                var ctx = sc.HttpContext;
                var error = ctx.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => $"no API endpoint {ctx.Request.Method} {ctx.Request.Path}",
                    StatusCodes.Status405MethodNotAllowed => $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}",
                    StatusCodes.Status400BadRequest => "bad request (check the JSON body and the parameters)",
                    StatusCodes.Status401Unauthorized => "sign in or send a personal API token (Authorization: Bearer <token>)",
                    StatusCodes.Status403Forbidden => "your account's role does not allow this",
                    var code => $"HTTP {code}",
                };
                await ctx.Response.WriteAsJsonAsync(new { error });
            });
        });
    }
}
