using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Attacks;

/// <summary>
/// Scalars the attack loops keep alive. TorchSharp 0.107's Scalars are not tracked by dispose scopes and are freed by
/// their finalizers; a temporary one (from <c>x + 1e-12</c>, <c>clamp(0, 1)</c>, <c>x / 2</c>) is unreachable while the
/// native op that uses it runs, so a GC on another thread can free it mid-call ("Unknown scalar type"). The constants
/// here live as long as the process; per-call values are held with <c>using Scalar s = v</c> at the call site. (The
/// worker also retries a job that hits the fault anyway: TorchSharp makes such temporaries itself.)
/// </summary>
internal static class HeldScalars
{
    public static readonly Scalar Zero = 0.ToScalar(), One = 1.ToScalar(), Two = 2.ToScalar(), Tiny = 1e-12.ToScalar();
}
