namespace Portal.Engine.Runtime.Memory;

/// <summary>
/// What the batch sizer reads about the memory a device's work lives in: host RAM for the CPU, device memory for CUDA.
/// A measurement is a window: <see cref="BeginWindow"/>, the work, then <see cref="PeakBytes"/> (the highest in-use bytes
/// since the window began, this process's for the host, the device's for CUDA).
/// </summary>
public interface IMemoryGauge
{
    /// <summary>What is measured and how, for logs and the choice's description.</summary>
    string What { get; }

    /// <summary>Bytes the work may still take now (free memory under every limit that applies).</summary>
    long HeadroomBytes();

    /// <summary>Bytes in use now.</summary>
    long InUseBytes();

    /// <summary>Starts a peak window; false when this gauge cannot reset its peak (the window then starts at the process's old peak).</summary>
    bool BeginWindow();

    /// <summary>Highest bytes in use since <see cref="BeginWindow"/>.</summary>
    long PeakBytes();
}
