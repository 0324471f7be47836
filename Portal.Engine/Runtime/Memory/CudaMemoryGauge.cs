using System.Runtime.InteropServices;

namespace Portal.Engine.Runtime.Memory;

/// <summary>
/// One CUDA device's memory, read from the driver (cuMemGetInfo on the device's primary context, the one libtorch
/// uses): TorchSharp 0.107 exposes none of libtorch's allocator statistics. In use is total − free, so it counts what
/// libtorch's caching allocator holds, and that allocator keeps the blocks a step reserved after the step's tensors are
/// freed: in use after a step is the step's peak, which is what <see cref="PeakBytes"/> reports. (With
/// PYTORCH_NO_CUDA_MEMORY_CACHING=1 the blocks go back and this reads low; the sizer then sees no growth and says so.)
/// </summary>
public sealed class CudaMemoryGauge(int ordinal) : IMemoryGauge
{
    public string What => $"cuda:{ordinal} device memory: total − free from the driver (cuMemGetInfo), which includes libtorch's cached blocks";

    public long HeadroomBytes() => Info().Free;

    public long InUseBytes() { var (free, total) = Info(); return total - free; }

    public bool BeginWindow() => true;

    public long PeakBytes() => InUseBytes();

    private (long Free, long Total) Info()
    {
        Check(Driver.cuInit(0), "cuInit");
        Check(Driver.cuDeviceGet(out var dev, ordinal), "cuDeviceGet");
        Check(Driver.cuDevicePrimaryCtxRetain(out var ctx, dev), "cuDevicePrimaryCtxRetain");
        try
        {
            Check(Driver.cuCtxPushCurrent_v2(ctx), "cuCtxPushCurrent");
            try
            {
                Check(Driver.cuMemGetInfo_v2(out var free, out var total), "cuMemGetInfo");
                return ((long)free, (long)total);
            }
            finally { Driver.cuCtxPopCurrent_v2(out _); }
        }
        finally { Driver.cuDevicePrimaryCtxRelease_v2(dev); }
    }

    private void Check(int status, string call)
    {
        if (status != 0) throw new InvalidOperationException($"CUDA driver call {call} on device {ordinal} failed with CUresult {status}");
    }

    private static class Driver
    {
        private const string Lib = "libcuda.so.1";
        [DllImport(Lib)] public static extern int cuInit(uint flags);
        [DllImport(Lib)] public static extern int cuDeviceGet(out int device, int ordinal);
        [DllImport(Lib)] public static extern int cuDevicePrimaryCtxRetain(out IntPtr context, int device);
        [DllImport(Lib)] public static extern int cuDevicePrimaryCtxRelease_v2(int device);
        [DllImport(Lib)] public static extern int cuCtxPushCurrent_v2(IntPtr context);
        [DllImport(Lib)] public static extern int cuCtxPopCurrent_v2(out IntPtr context);
        [DllImport(Lib)] public static extern int cuMemGetInfo_v2(out nuint free, out nuint total);
    }
}
