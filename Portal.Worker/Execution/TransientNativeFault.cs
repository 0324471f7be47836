using System.Runtime.InteropServices;

namespace Portal.Worker.Execution;

/// <summary>
/// A libtorch error that says nothing about the job: TorchSharp 0.107 frees a <c>Scalar</c> in its finalizer and does
/// not keep the temporary ones it makes (the alpha of <c>a + b</c>, the 2 of <c>x / 2</c>) alive across the native
/// call, so a garbage collection on another thread can free one while libtorch reads it. The call then fails with
/// "Unknown scalar type" or a failed check in <c>c10/core/Scalar.h</c> (reproduced: 1 in ~5 million small ops under
/// heavy allocation; seen in the multi-worker test). Running the job again resumes it from its stored items, with the
/// same numbers (per-item seeds), so the worker retries it a bounded number of times instead of failing it.
/// </summary>
public static class TransientNativeFault
{
    public const int Retries = 2;

    public static bool Is(Exception e) =>
        e is ExternalException x && x.Message.Contains("c10/core/Scalar.h", StringComparison.Ordinal);

    /// <summary>Runs <paramref name="run"/>, again after a transient native fault (at most <paramref name="retries"/> more times).</summary>
    public static T Retry<T>(Func<T> run, int retries, Action<Exception, int> onRetry)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return run(); }
            catch (Exception e) when (Is(e) && attempt <= retries) { onRetry(e, attempt); }
        }
    }
}
