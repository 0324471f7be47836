namespace Portal.Engine.Datasets;

/// <summary>NIGHTS as DreamSim distributes it: ref/, distort/, data.csv.</summary>
public static class NightsReader
{
    // CONTRACT STUB: implemented on branch h3-twoafc.
    /// <param name="split">train, val, test_imagenet, test_no_imagenet, or test (their union).</param>
    public static TwoAfcDatasetLoad Load(string root, string split = "test") =>
        throw new NotSupportedException("NightsReader is being implemented (branch h3-twoafc)");
}
