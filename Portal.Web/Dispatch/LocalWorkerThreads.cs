namespace Portal.Web.Dispatch;

/// <summary>
/// How many libtorch threads a local worker gets. Set explicitly (Worker:Threads), that; automatic (0), the cores the web
/// does not keep (Workers:WebCores) shared among the local workers, at least one each; null leaves libtorch's default
/// (every core), which is what a worker gets when the web keeps no core or the machine has no core to spare.
/// </summary>
public static class LocalWorkerThreads
{
    public static int? For(int cores, int localWorkers, int webCores, int configured)
    {
        if (configured > 0) return configured;
        if (webCores <= 0 || localWorkers <= 0 || cores <= 1) return null;
        return Math.Max(1, (cores - webCores) / localWorkers);
    }
}
