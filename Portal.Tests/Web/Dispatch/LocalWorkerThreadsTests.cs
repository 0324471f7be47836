using Portal.Web.Dispatch;

namespace Portal.Tests.Web.Dispatch;

/// <summary>Issue 15 (item 11) / 19 (item 2): local workers leave the web a core unless told otherwise; remote workers take every core.</summary>
public sealed class LocalWorkerThreadsTests
{
    [Theory]
    [InlineData(2, 1, 1, 0, 1)]     // this CI machine: the job gets one core, the web and its readers the other
    [InlineData(16, 1, 1, 0, 15)]
    [InlineData(16, 3, 1, 0, 5)]    // three local workers share the fifteen
    [InlineData(4, 8, 1, 0, 1)]     // never below one
    [InlineData(8, 1, 1, 6, 6)]     // Worker:Threads set: that
    public void Threads_leave_the_web_its_cores(int cores, int local, int webCores, int configured, int expected) =>
        Assert.Equal(expected, LocalWorkerThreads.For(cores, local, webCores, configured));

    [Theory]
    [InlineData(8, 1, 0)]   // WebCores 0: libtorch's default, every core
    [InlineData(1, 1, 1)]   // one core: nothing to spare
    public void Otherwise_libtorch_chooses(int cores, int local, int webCores) =>
        Assert.Null(LocalWorkerThreads.For(cores, local, webCores, 0));
}
