using Portal.Web.Dispatch;
using Portal.Web.Http;
namespace Portal.Web.Configuration;

/// <summary>The "Portal" section of appsettings.json.</summary>
public sealed class PortalOptions
{
    /// <summary>Database, checkpoints, datasets and artifacts live here. Relative paths resolve against the folder of the root appsettings.json.</summary>
    public string DataRoot { get; set; } = "./data";
    /// <summary>Largest accepted checkpoint upload, in bytes (default 8 GiB).</summary>
    public long MaxUploadBytes { get; set; } = 8L << 30;
    /// <summary>Allow admins to register a file already on the server (POST /api/encoders/register, used in place).</summary>
    public bool AllowServerFileRegistration { get; set; } = true;
    /// <summary>
    /// The only folders server files (checkpoints, FARE image folders) may come from; relative paths resolve like DataRoot.
    /// Unset: <see cref="DefaultServerFileRoot"/> alone. Never the data folder itself (Features/Encoders/ServerFiles.cs).
    /// </summary>
    public List<string>? ServerFileRoots { get; set; }
    public const string DefaultServerFileRoot = "./models";
    /// <summary>TorchScript checkpoints are code: loading them is refused unless the operator enables it.</summary>
    public bool AllowTorchScript { get; set; }
    public UploadOptions Uploads { get; set; } = new();
    public AccountOptions Accounts { get; set; } = new();
    public LimitOptions Limits { get; set; } = new();
    public WorkerOptions Worker { get; set; } = new();
    public WorkersOptions Workers { get; set; } = new();
    public DatabaseOptions Database { get; set; } = new();
    public DispatchOptions Dispatch { get; set; } = new();
    public ProgressOptions Progress { get; set; } = new();
    /// <summary>Anonymous read pages and lists: admission control in front of the output cache (Http/ReadCache.cs, docs/measurements.md).</summary>
    public ReadsOptions Reads { get; set; } = new();
    public DemoOptions Demo { get; set; } = new();
    public GalleryOptions Galleries { get; set; } = new();
    public ImportOptions Imports { get; set; } = new();
}

/// <summary>What one account may ask of the workers (Features/Jobs/JobLimits.cs): per role, so a researcher cannot tie them up for days.</summary>
public sealed class LimitOptions
{
    public RoleLimits Researcher { get; set; } = new();
    public RoleLimits Admin { get; set; } = new() { MaxIterations = 10_000, MaxRestarts = 100, MaxQueries = 1_000_000, MaxItems = 1_000_000, MaxQueuedJobs = 500, MaxFareSteps = 1_000_000 };
}

public sealed class RoleLimits
{
    /// <summary>APGD iterations per restart (the paper uses 100; its Figure 8 check uses 1000).</summary>
    public int MaxIterations { get; set; } = 1_000;
    public int MaxRestarts { get; set; } = 10;
    /// <summary>Square Attack queries per restart (AutoAttack's standard budget is 5,000).</summary>
    public int MaxQueries { get; set; } = 10_000;
    /// <summary>Items evaluated by one job (the job's limit, or the benchmark's size when it has none).</summary>
    public int MaxItems { get; set; } = 100_000;
    /// <summary>Jobs of this account queued or running at once.</summary>
    public int MaxQueuedJobs { get; set; } = 50;
    /// <summary>FARE fine-tuning steps of one robustify job.</summary>
    public int MaxFareSteps { get; set; } = 50_000;
}

/// <summary>Sign-in throttling (Features/Accounts/SignInThrottle.cs).</summary>
public sealed class AccountOptions
{
    public int SignInsPerAddressPerMinute { get; set; } = 20;
    public int SignInsPerAccountPerMinute { get; set; } = 5;
}

/// <summary>Resumable upload sessions (Features/Encoders/ResumableUploads.cs).</summary>
public sealed class UploadOptions
{
    /// <summary>A session with no chunk written for this long is deleted with its part file.</summary>
    public double SessionHours { get; set; } = 24;
    public int MaxOpenSessionsPerUser { get; set; } = 4;
    /// <summary>Sum of the declared sizes of one account's open sessions (default 16 GiB: two full-size uploads).</summary>
    public long MaxOpenBytesPerUser { get; set; } = 16L << 30;
}

/// <summary>Checkpoints imported by URL or hub id (Features/Encoders/CheckpointImports.cs; downloaded by a worker).</summary>
public sealed class ImportOptions
{
    /// <summary>Off: POST /api/encoders/import and the upload page's "from a URL" form answer that imports are disabled.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>
    /// Hosts (name or literal IP) an import may reach although they resolve to a private, loopback or link-local address
    /// (an in-house model store). Empty: only public addresses, so a submitter cannot make a worker probe its network.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];
    /// <summary>Where hf-hub: ids resolve (a mirror, or a test server); default https://huggingface.co.</summary>
    public string? HubBaseUrl { get; set; }
    /// <summary>Sent to the hub (only) for gated or private repos. A secret: never logged, never shown, not in any API answer.</summary>
    public string? HubToken { get; set; }
    /// <summary>Where dataset fetches download from instead of the publishers' hosts (a mirror, or a test server; paths kept).</summary>
    public string? DatasetBaseUrl { get; set; }
    /// <summary>Imports one account may have downloading or validating at once.</summary>
    public int MaxOpenPerUser { get; set; } = 3;
}

public sealed class GalleryOptions
{
    /// <summary>
    /// Prompts a text gallery gets when it is defined without any; empty = the portal's built-in six
    /// (<c>GalleryDefinition.BuiltInPrompts</c>). Operators who want the paper's Figure 6 prompts list them here.
    /// </summary>
    public List<string> DefaultPrompts { get; set; } = [];
}

public sealed class DatabaseOptions
{
    public const string Sqlite = "sqlite", Postgres = "postgres";
    /// <summary>"sqlite" (embedded default: portal.db and hangfire.db in the data folder) or "postgres" (scaled: one shared database).</summary>
    public string Provider { get; set; } = Sqlite;
    /// <summary>Npgsql connection string when Provider is postgres (portal tables and Hangfire's schema share it).</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>The worker processes the web starts and supervises itself (the embedded default).</summary>
public sealed class WorkersOptions
{
    /// <summary>How many local `portal worker` processes the web starts and restarts; 0 = workers run elsewhere.</summary>
    public int Local { get; set; } = 1;
    /// <summary>
    /// With local workers, the web's threads run at this nice value, below the workers' (normal) priority, so readers do
    /// not slow a running job (Dispatch/WebPriority.cs); 0 leaves the priority alone. Ignored without local workers.
    /// </summary>
    public int WebNice { get; set; } = 10;
    /// <summary>
    /// Cores left to the web (and its readers) when it runs local workers with Worker:Threads 0 (automatic): each local
    /// worker gets (cores − WebCores) / Local libtorch threads, at least one (Dispatch/LocalWorkerThreads.cs). A job's
    /// threads wait for each other at every operation, so a busy core can stall all of them; on this project's 2-core
    /// machine leaving the web a core measured no difference under a crowd (docs/measurements.md), so the default is 0:
    /// the workers take every core. Remote workers (`portal worker` on another machine) are not affected.
    /// </summary>
    public int WebCores { get; set; }
    /// <summary>The worker executable (Portal.Cli apphost or Portal.Cli.dll); empty = found next to the web or in the repository's build output.</summary>
    public string? Command { get; set; }
    /// <summary>Queues the local workers take.</summary>
    public List<string> Queues { get; set; } = [DispatchOptions.DefaultQueue];
    /// <summary>
    /// Shared secret of workers that do not see the storage root: with it they fetch checkpoints from the web and send
    /// their artifacts back (/api/worker/…). Valid for nothing else; empty (the default) = those endpoints do not exist.
    /// </summary>
    public string? Token { get; set; }
}

/// <summary>How work is routed to workers and how a lost worker is noticed.</summary>
public sealed class DispatchOptions
{
    public const string DefaultQueue = "default";
    /// <summary>Queue of evaluation, inversion and FARE jobs (e.g. "gpu").</summary>
    public string JobQueue { get; set; } = DefaultQueue;
    /// <summary>Queue of checkpoint validations (may be "cpu": validation is one forward pass).</summary>
    public string ValidationQueue { get; set; } = DefaultQueue;
    /// <summary>A running job whose worker has not renewed its lease for this long is taken over by another worker.</summary>
    public double LeaseSeconds { get; set; } = 20;
    /// <summary>A job or validation whose worker process died this many times is failed and not retried by itself.</summary>
    public int MaxDeaths { get; set; } = 3;
}

public sealed class WorkerOptions
{
    /// <summary>"cpu" or "cuda[:N]".</summary>
    public string Device { get; set; } = "cpu";
    /// <summary>libtorch intra-op threads for the engine; 0 = libtorch's default (all cores).</summary>
    public int Threads { get; set; }
    /// <summary>
    /// Items per batch of an evaluation (2AFC, audit, retrieval, detection). Unset: 16 on cpu, and on cuda the largest batch
    /// whose measured peak fits <see cref="BatchMemoryFraction"/> of the free device memory; 0: sized from memory on any
    /// device (host RAM for cpu, under the cgroup limit and <see cref="MaxMemoryGiB"/>); N: N. Inversion uses N or 16.
    /// </summary>
    public int? BatchSize { get; set; }
    /// <summary>Share of the free memory a sized batch's predicted peak may take.</summary>
    public double BatchMemoryFraction { get; set; } = 0.8;
    /// <summary>A sized batch never holds more items than this.</summary>
    public int MaxBatchSize { get; set; } = 256;
    /// <summary>How often an idle worker looks at the database even without a signal.</summary>
    public double PollSeconds { get; set; } = 2;
    /// <summary>Stop the worker loop entirely (jobs stay queued); for API-only instances and some tests.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>A worker process whose resident memory passes this is killed by its supervisor (the job counts a death); 0 = no limit.</summary>
    public double MaxMemoryGiB { get; set; }
    /// <summary>
    /// Test hook for crash isolation: validating an encoder with exactly this display name overflows the worker's stack
    /// (what a hostile pickle did before the unpickler bounded its nesting). Empty (the default) = never.
    /// </summary>
    public string? CrashOnEncoderName { get; set; }
    /// <summary>
    /// The web's base URL, for a worker that does not mount the storage root: a checkpoint it cannot see is fetched from
    /// there (with Portal:Workers:Token) into its own data folder, and a finished job's artifacts are sent back.
    /// </summary>
    public string? PortalUrl { get; set; }
    /// <summary>
    /// Whether this worker mounts the web's storage root. False (with PortalUrl and Portal:Workers:Token): every checkpoint
    /// is fetched from the web and every finished job's artifacts are sent back, whatever paths happen to exist here.
    /// </summary>
    public bool SharedStorage { get; set; } = true;
}

public sealed class ReadsOptions
{
    /// <summary>
    /// Anonymous reads of the cached pages and lists (/, /leaderboards/*, /encoders, /queue, /api/results, /api/jobs)
    /// answered per second, all anonymous visitors together; beyond it they wait in line (first come, first served), so a
    /// crowd cannot take the CPU the workers' jobs need. Signed-in users and API tokens are not counted. 0: no limit.
    /// </summary>
    public int AnonymousPerSecond { get; set; } = 1200;
    /// <summary>Anonymous reads waiting for their turn at most; one more is answered 503 with Retry-After.</summary>
    public int QueueLimit { get; set; } = 5000;
}

public sealed class ProgressOptions
{
    /// <summary>At most one progress message per job per this many milliseconds (status changes are sent at once).</summary>
    public int ThrottleMs { get; set; } = 250;
    /// <summary>
    /// A Redis server for the SignalR backplane of several web nodes (StackExchange.Redis configuration, e.g.
    /// "redis1:6379,password=…"); unset: no backplane, each node sends to its own browsers (Progress/ProgressSetup.cs).
    /// </summary>
    public string? Redis { get; set; }
}

public sealed class DemoOptions
{
    /// <summary>On first start with an empty database, generate the demo benchmark and queue the pixel baselines.</summary>
    public bool Enabled { get; set; } = true;
    public int Triplets { get; set; } = 300;
    public int ImageSize { get; set; } = 64;
    public int ApgdIterations { get; set; } = 10;
    /// <summary>APGD iterations of the demo inversion gallery (the paper's 500: about 7 s per demo encoder on a CPU).</summary>
    public int InversionIterations { get; set; } = 500;
    /// <summary>Also seed the small retrieval and detection demo (demo encoders, rworld and hazard-sign benchmarks).</summary>
    public bool Retrieval { get; set; } = true;
}
