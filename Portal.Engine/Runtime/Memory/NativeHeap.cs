using System.Runtime.InteropServices;

namespace Portal.Engine.Runtime.Memory;

/// <summary>
/// glibc keeps freed native memory (libtorch's CPU tensors) in its heaps until asked; giving it back matters between a
/// long-lived worker's jobs, and before a resident-set measurement (kept-but-free pages would hide what a step takes).
/// </summary>
public static class NativeHeap
{
    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>Finalises unreachable tensors, then returns glibc's free pages to the system (a no-op off glibc).</summary>
    public static void Release()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        if (OperatingSystem.IsLinux())
            try { MallocTrim(0); } catch (Exception) { /* not glibc */ }
    }
}
