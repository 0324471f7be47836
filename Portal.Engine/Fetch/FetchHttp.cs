using System.Net;
using System.Net.Http.Headers;

namespace Portal.Engine.Fetch;

/// <summary>
/// The one HTTP client of fetches: no automatic redirects (each hop is followed here, scheme-checked and counted),
/// the address guard on every connection, no proxy (a proxy would make the guard check the proxy, not the target).
/// </summary>
public static class FetchHttp
{
    public static HttpClient CreateClient(FetchOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None, // byte ranges and hashes are of the bytes sent
            ConnectTimeout = options.ConnectTimeout,
            ConnectCallback = AddressGuard.ConnectCallback(options),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }; // timeouts are per phase, below
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("portal-fetch", "0.1"));
        return client;
    }

    /// <summary>
    /// Sends GET (or HEAD) to <paramref name="url"/> and follows redirects by hand. Returns the final response
    /// (not a 3xx) and the URL it came from. The token goes only to the first URL's host.
    /// </summary>
    public static async Task<(HttpResponseMessage Response, Uri FinalUrl)> SendAsync(HttpClient client, Uri url, FetchOptions options,
        Action<HttpRequestMessage>? prepare, HttpMethod? method, CancellationToken ct)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var current = url;
        for (int hop = 0; ; hop++)
        {
            CheckScheme(current);
            if (!seen.Add(current.AbsoluteUri)) throw new FetchException($"redirect loop: {Redact(current)} was visited twice");
            using var req = new HttpRequestMessage(method ?? HttpMethod.Get, current);
            if (options.BearerToken is { Length: > 0 } token && SameOrigin(current, url))
                req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            prepare?.Invoke(req);
            using var headersCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            headersCts.CancelAfter(options.HeadersTimeout);
            HttpResponseMessage resp;
            try { resp = await client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, headersCts.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested) { throw new TimeoutException($"no response from {Redact(current)} within {options.HeadersTimeout.TotalSeconds:0}s"); }
            catch (HttpRequestException e) when (Unwrap(e) is FetchException fe) { throw fe; }
            var code = (int)resp.StatusCode;
            if (code is 301 or 302 or 303 or 307 or 308)
            {
                var location = resp.Headers.Location;
                resp.Dispose();
                if (location == null) throw new FetchException($"{Redact(current)} answered {code} without a Location");
                if (hop + 1 > options.MaxRedirects) throw new FetchException($"more than {options.MaxRedirects} redirects starting at {Redact(url)}");
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                continue;
            }
            return (resp, current);
        }
    }

    public static void CheckScheme(Uri u)
    {
        if (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps) throw new FetchException($"only http and https are fetched, not '{u.Scheme}:'");
    }

    private static bool SameOrigin(Uri a, Uri b) => a.Scheme == b.Scheme && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    private static Exception? Unwrap(Exception e) { for (var x = e; x != null; x = x.InnerException) if (x is FetchException) return x; return null; }

    /// <summary>A URL fit for messages: no query (signed CDN URLs carry credentials there), no user info.</summary>
    public static string Redact(Uri u) => u.GetLeftPart(UriPartial.Path);
}
