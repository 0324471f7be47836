using TorchSharp;

namespace Portal.Tests.Support;

/// <summary>Tests share a 2-core CI machine: keep libtorch to one thread so parallel test classes don't oversubscribe.</summary>
internal static class TorchTestSetup
{
    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void Init()
    {
        torch.set_num_threads(1);
    }
}
