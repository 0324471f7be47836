/// <summary>
/// The split a NIGHTS-layout folder's rows are in (its data.csv's split column), so the benches register what `portal demo
/// data` wrote: "procedural" today, "test" for a checkout from before the procedural split (side-by-side runs).
/// </summary>
static class DatasetSplit
{
    public static string Of(string nightsDir)
    {
        var lines = File.ReadLines(Path.Combine(nightsDir, "data.csv")).Take(2).ToArray();
        var column = Array.IndexOf(lines[0].Split(','), "split");
        return column >= 0 && lines.Length > 1 ? lines[1].Split(',')[column] : "test";
    }
}
