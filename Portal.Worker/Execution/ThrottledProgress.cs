namespace Portal.Worker.Execution;

/// <summary>A fetcher's progress callback that passes on at most one report per interval (and always the last), for writing to the database.</summary>
public static class ThrottledProgress
{
    public static Action<long, long?> Every(TimeSpan interval, Action<long, long?> write)
    {
        var last = DateTime.MinValue;
        return (bytes, total) =>
        {
            var now = DateTime.UtcNow;
            if (now - last < interval && bytes != total) return;
            last = now;
            write(bytes, total);
        };
    }
}
