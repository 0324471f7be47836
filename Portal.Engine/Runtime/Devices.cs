using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Runtime;

public static class Devices
{
    /// <summary>"cpu", "cuda" or "cuda:N"; cuda is refused with a clear message when this build or machine has none.</summary>
    public static Device Parse(string? name)
    {
        name = string.IsNullOrWhiteSpace(name) ? "cpu" : name.Trim().ToLowerInvariant();
        if (name == "cpu") return CPU;
        if (name.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException("device 'cuda' requested but CUDA is not available (this build uses the CPU libtorch; rebuild with -p:TorchBackend=cuda on a machine with an NVIDIA GPU)");
            // Parity with PyTorch float32 needs TF32 off (it is on by default for cuDNN convolutions).
            torch.backends.cuda.matmul.allow_tf32 = false;
            torch.backends.cudnn.allow_tf32 = false;
            return torch.device(name);
        }
        throw new ArgumentException($"unknown device '{name}' (use cpu or cuda)");
    }
}
