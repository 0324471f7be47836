using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Runtime.Memory;

public static class MemoryGauges
{
    /// <summary>The gauge for the memory <paramref name="device"/>'s tensors live in; <paramref name="hostCapBytes"/> bounds
    /// the host's headroom by a limit of the caller's (a supervisor that kills the process beyond it).</summary>
    public static IMemoryGauge For(Device device, long? hostCapBytes = null) =>
        device.type == DeviceType.CUDA ? new CudaMemoryGauge(Math.Max(0, (int)device.index)) : new HostMemoryGauge(hostCapBytes);
}
