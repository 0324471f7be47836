using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.ResponseCompression;
using Portal.Web.Features.Encoders;
using Portal.Web.Progress;

namespace Portal.Web.Http;

/// <summary>
/// A read page that anonymous visitors get as static server-rendered HTML (no Blazor circuit), output-cached and
/// compressed (docs/measurements.md). Signed-in users, and anyone who asks for <c>?interactive=1</c>, get the interactive
/// page as before. App.razor picks the render mode per request with <see cref="ReadCache.IsStaticRead"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class StaticForAnonymousAttribute : Attribute;

/// <summary>
/// Output caching of anonymous reads (the board, the encoder list, the queue, /api/results and /api/jobs), evicted by tag
/// when what they show changes (<see cref="ReadCacheInvalidation"/>), with a short expiry as a backstop for changes the
/// web does not hear of (another web node's admin action). Authenticated requests are never served from or stored in
/// the cache (ASP.NET Core's default output-cache policy), nor are responses that set a cookie.
/// </summary>
public static class ReadCache
{
    /// <summary>The boards' pages: results, and the running rows' progress.</summary>
    public const string BoardTag = "board";
    /// <summary>/api/results and its CSV: results only.</summary>
    public const string ResultsTag = "results";
    /// <summary>Jobs and their progress: the queue, /api/jobs (the board's running rows use <see cref="BoardTag"/>).</summary>
    public const string JobsTag = "jobs";
    /// <summary>Encoders: /encoders (the board names encoders too: an encoder change evicts both).</summary>
    public const string EncodersTag = "encoders";

    public const string BoardPolicy = "reads-board";
    public const string ResultsPolicy = "reads-results";
    public const string JobsPolicy = "reads-jobs";
    public const string EncodersPolicy = "reads-encoders";

    /// <summary>The query parameter that asks for the interactive page (sorting by any column, pins, live updates).</summary>
    public const string InteractiveQuery = "interactive";

    /// <summary>Backstop expiry of a cached read; eviction on change is what keeps pages current.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(15);

    /// <summary>Whether this request renders a [StaticForAnonymous] page statically: an anonymous visitor who did not ask for interactivity.</summary>
    public static bool IsStaticRead(HttpContext? http) =>
        http != null
        && http.GetEndpoint()?.Metadata.GetMetadata<StaticForAnonymousAttribute>() != null
        && http.User.Identity?.IsAuthenticated != true
        && !http.Request.Query.ContainsKey(InteractiveQuery);

    /// <summary>The rate-limiter policy of anonymous reads (<see cref="Configuration.ReadsOptions"/>).</summary>
    public const string AnonymousReadsLimit = "anonymous-reads";

    public static IServiceCollection AddReadCache(this IServiceCollection services)
    {
        // Admission control in front of the cache: a cached answer is cheap, but a closed loop of a hundred clients on a
        // small machine would still spend every core on them and starve the local worker's job (docs/measurements.md).
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status503ServiceUnavailable;
            o.OnRejected = (c, _) =>
            {
                c.HttpContext.Response.Headers.RetryAfter = "2";
                return ValueTask.CompletedTask;
            };
            o.AddPolicy(AnonymousReadsLimit, http =>
            {
                var reads = http.RequestServices.GetRequiredService<IOptions<Configuration.PortalOptions>>().Value.Reads;
                if (reads.AnonymousPerSecond <= 0 || http.User.Identity?.IsAuthenticated == true || http.Request.Headers.Authorization.Count > 0)
                    return RateLimitPartition.GetNoLimiter("not limited");
                // One bucket for every anonymous visitor, refilled every 20 ms (or once per token below 50/s); a burst of a
                // quarter second is answered at once.
                var period = Math.Max(20.0, 1000.0 / reads.AnonymousPerSecond);
                return RateLimitPartition.GetTokenBucketLimiter("anonymous", _ => new TokenBucketRateLimiterOptions
                {
                    TokensPerPeriod = Math.Max(1, (int)Math.Round(reads.AnonymousPerSecond * period / 1000)),
                    ReplenishmentPeriod = TimeSpan.FromMilliseconds(period),
                    TokenLimit = Math.Max(1, reads.AnonymousPerSecond / 4),
                    QueueLimit = Math.Max(0, reads.QueueLimit),
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    AutoReplenishment = true,
                });
            });
        });
        services.AddOutputCache(o =>
        {
            // Every query parameter (filters, paging) and the encoding (the compressed body is what is stored) vary the key.
            void Policy(string name, params string[] tags) => o.AddPolicy(name, b => b
                .Expire(Expiry).Tag(tags).SetVaryByQuery("*").SetVaryByHeader("Accept-Encoding")
                // The interactive page carries per-visitor circuit state: never cached.
                .With(c => !c.HttpContext.Request.Query.ContainsKey(InteractiveQuery)));
            Policy(BoardPolicy, BoardTag);
            Policy(ResultsPolicy, ResultsTag);
            Policy(JobsPolicy, JobsTag);
            Policy(EncodersPolicy, EncodersTag);
        });
        services.AddResponseCompression(o =>
        {
            // Over HTTPS too: what is compressed carries no secret for a compression side channel (BREACH) to recover,
            // see ReadsCompression.
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            // SignalR and Blazor's circuit negotiate their own framing; only documents and JSON/CSV answers are compressed.
            o.MimeTypes = ["text/html", "application/json", "text/csv", "text/plain", "image/svg+xml"];
        });
        services.Replace(ServiceDescriptor.Singleton<IResponseCompressionProvider, ReadsCompression>());
        services.AddHostedService<ReadCacheInvalidation>();

        // Blazor persists component state into every first-rendered page, the antiforgery token among it, which sets a
        // per-visitor cookie: a page carrying that is neither cacheable nor shareable. Static reads post no form, so
        // they get no token (no cookie, nothing per visitor in the HTML); every other request gets Blazor's own provider.
        var antiforgery = services.LastOrDefault(d => d.ServiceType == typeof(AntiforgeryStateProvider))
            ?? throw new InvalidOperationException("AddReadCache must come after AddRazorComponents");
        services.Remove(antiforgery);
        services.Add(ServiceDescriptor.Scoped<AntiforgeryStateProvider>(sp =>
            IsStaticRead(sp.GetRequiredService<IHttpContextAccessor>().HttpContext) ? new NoAntiforgeryToken()
            : antiforgery.ImplementationFactory?.Invoke(sp) as AntiforgeryStateProvider
              ?? (AntiforgeryStateProvider)ActivatorUtilities.CreateInstance(sp, antiforgery.ImplementationType!)));
        return services;
    }

    /// <summary>
    /// Compresses the static read pages (no antiforgery token, nothing per visitor) and the API's answers; other pages
    /// (the sign-in form's token next to a reflected returnUrl, interactive pages' persisted state) stay uncompressed.
    /// </summary>
    private sealed class ReadsCompression(IServiceProvider services, IOptions<ResponseCompressionOptions> options) : ResponseCompressionProvider(services, options)
    {
        public override bool ShouldCompressResponse(HttpContext context) =>
            (IsStaticRead(context) || context.Request.Path.StartsWithSegments("/api")) && base.ShouldCompressResponse(context);
    }

        private sealed class NoAntiforgeryToken : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken? GetAntiforgeryToken() => null;
    }
}

/// <summary>
/// Evicts cached reads when the web learns of a change: a job's status (queued, started, finished: a new result) at
/// once, running progress at most every <see cref="ProgressInterval"/> (the queue's progress bars; the board's move with its expiry), an
/// encoder's change (validation ended, imported) at once.
/// </summary>
public sealed class ReadCacheInvalidation(IOutputCacheStore store, ProgressBroadcaster progress, EncoderEvents encoders, ILogger<ReadCacheInvalidation> log) : IHostedService
{
    /// <summary>The board's pages (and the queue's progress) are evicted at most this often: a render of the board is
    /// the costliest answer, and on a busy machine a crowd waits for it.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Last, bool Pending)> _spaced = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        progress.OnMessage += OnProgress;
        encoders.OnChanged += OnEncoder;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        progress.OnMessage -= OnProgress;
        encoders.OnChanged -= OnEncoder;
        return Task.CompletedTask;
    }

    private void OnProgress(JobProgressMessage m)
    {
        // Running: the queue's progress bars (the board's move with its expiry). Anything else (queued, ended, a new
        // result): the lists at once, the board's pages at once or, after a recent eviction, once the interval is over.
        if (m.Status == "running") { Spaced(ReadCache.JobsTag); return; }
        Evict(ReadCache.JobsTag, ReadCache.ResultsTag, ReadCache.EncodersTag);
        Spaced(ReadCache.BoardTag);
    }

    private void OnEncoder(int _)
    {
        Evict(ReadCache.EncodersTag, ReadCache.ResultsTag);
        Spaced(ReadCache.BoardTag);
    }

    /// <summary>Evicts now, or when <see cref="ProgressInterval"/> has passed since the last eviction (the last change is never lost).</summary>
    private void Spaced(string tag)
    {
        TimeSpan wait;
        lock (_gate)
        {
            var now = Environment.TickCount64;
            var (last, pending) = _spaced.GetValueOrDefault(tag, (long.MinValue / 2, false));
            var since = now - last;
            if (since >= ProgressInterval.TotalMilliseconds) { _spaced[tag] = (now, false); Evict(tag); return; }
            if (pending) return;
            _spaced[tag] = (last, true);
            wait = TimeSpan.FromMilliseconds(ProgressInterval.TotalMilliseconds - since);
        }
        _ = Task.Delay(wait).ContinueWith(_ =>
        {
            lock (_gate) _spaced[tag] = (Environment.TickCount64, false);
            Evict(tag);
        }, TaskScheduler.Default);
    }

    /// <summary>Evicts now.</summary>
    public void Evict(params string[] tags) => _ = EvictAsync(tags);

    private async Task EvictAsync(string[] tags)
    {
        try { foreach (var t in tags) await store.EvictByTagAsync(t, CancellationToken.None); }
        catch (Exception e) { log.LogWarning(e, "could not evict cached reads {Tags}", string.Join(", ", tags)); }
    }
}
