using System.Runtime.CompilerServices;

namespace Portal.Worker.Validation;

/// <summary>A real stack overflow (Portal:Worker:CrashOnEncoderName): the crash-isolation tests kill a worker the way a hostile file once did.</summary>
internal static class CrashTestHook
{
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static int Overflow(int depth)
    {
        Span<byte> frame = stackalloc byte[256];
        frame[0] = (byte)depth;
        return Overflow(depth + 1) + frame[0];
    }
}
