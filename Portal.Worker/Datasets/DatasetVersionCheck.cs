using Portal.Data.Entities;

namespace Portal.Worker.Datasets;

/// <summary>
/// The one check every runner makes before it measures anything: the files behind a benchmark, gallery or training-image set still hash to
/// the version it was registered with, so a result never mixes two datasets under one name.
/// </summary>
public static class DatasetVersionCheck
{
    public static void Ensure(DatasetRecord dataset, string currentVersion)
    {
        if (currentVersion == dataset.VersionHash) return;
        var (what, how) = dataset switch
        {
            GalleryRecord g => ($"gallery '{g.Name}' changed since it was defined", "define it again under a new name"),
            TrainingImageSetRecord t => ($"the image folder {t.DatasetRoot} changed since the job was queued", "submit the job again"),
            _ => ($"the dataset at {dataset.DatasetRoot} changed since benchmark '{dataset.Name}' was registered", "register it again under a new name"),
        };
        throw new InvalidDataException($"{what} (version {Short(currentVersion)} ≠ {Short(dataset.VersionHash)}); {how}");
    }

    private static string Short(string v) => v.Length > 12 ? v[..12] : v;
}
