using Portal.Data.Entities;

namespace Portal.Worker.Datasets;

/// <summary>
/// The one check every runner makes before it measures anything: the files behind a benchmark (or gallery) still hash to
/// the version it was registered with, so a result never mixes two datasets under one name.
/// </summary>
public static class DatasetVersionCheck
{
    public static void Ensure(BenchmarkRecord bench, string currentVersion)
    {
        if (currentVersion == bench.VersionHash) return;
        var (what, how) = bench.TaskKind is TaskKind.FeatureInversion or TaskKind.TextInversion
            ? ($"gallery '{bench.Name}' changed since it was defined", "define it again under a new name")
            : ($"the dataset at {bench.DatasetRoot} changed since benchmark '{bench.Name}' was registered", "register it again under a new name");
        throw new InvalidDataException($"{what} (version {Short(currentVersion)} ≠ {Short(bench.VersionHash)}); {how}");
    }

    private static string Short(string v) => v.Length > 12 ? v[..12] : v;
}
