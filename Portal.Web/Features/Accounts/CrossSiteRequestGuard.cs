namespace Portal.Web.Features.Accounts;

/// <summary>
/// CSRF protection for the cookie-authenticated API. The sign-in cookie is SameSite=Lax, which keeps other *sites* out,
/// but not other pages of the same site (another port on this host, a sibling subdomain): those could post a plain HTML
/// form (text/plain, urlencoded, multipart) that the browser sends with the cookie. So every write to /api that would be
/// authenticated by the cookie must carry <see cref="HeaderName"/> (a page cannot add a custom header to a cross-origin
/// request without a CORS preflight, which the portal never grants) and, when the browser says where it comes from,
/// come from this origin. Requests with an Authorization header (API and worker tokens) are not affected: a browser never
/// adds one by itself.
/// </summary>
public static class CrossSiteRequestGuard
{
    public const string HeaderName = "X-Portal-Request";
    public const string CookieName = "portal.auth";

    public static IApplicationBuilder UseCrossSiteRequestGuard(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (Refusal(ctx.Request) is { } reason)
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            await ctx.Response.WriteAsJsonAsync(new { error = reason });
            return;
        }
        await next();
    });

    /// <summary>Why the request is refused, or null when it may go on.</summary>
    public static string? Refusal(HttpRequest r)
    {
        if (HttpMethods.IsGet(r.Method) || HttpMethods.IsHead(r.Method) || HttpMethods.IsOptions(r.Method) || HttpMethods.IsTrace(r.Method)) return null;
        if (!r.Path.StartsWithSegments("/api")) return null; // forms (sign-in/out) check their antiforgery token themselves
        if (r.Headers.Authorization.Count > 0 || !r.Cookies.ContainsKey(CookieName)) return null;
        if (!r.Headers.ContainsKey(HeaderName))
            return $"a write with the sign-in cookie must carry the {HeaderName} header (the portal's own pages send it); scripts use an API token (Authorization: Bearer)";
        if (r.Headers.Origin.ToString() is { Length: > 0 } origin && !SameOrigin(origin, r))
            return $"cross-origin request refused: {origin} is not this portal";
        if (r.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site && site is not ("same-origin" or "none"))
            return $"cross-origin request refused (Sec-Fetch-Site: {site})";
        return null;
    }

    private static bool SameOrigin(string origin, HttpRequest r) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var o)
        && string.Equals(o.Scheme, r.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(o.Authority, r.Host.Value, StringComparison.OrdinalIgnoreCase);
}
