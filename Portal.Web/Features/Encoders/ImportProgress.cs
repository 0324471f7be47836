using Portal.Data.Entities;

namespace Portal.Web.Features.Encoders;

/// <summary>How far an import's download is, in words and percent (null percent = the server did not announce a size).</summary>
public static class ImportProgress
{
    public static double? Percent(EncoderRecord e) =>
        e.ImportTotalBytes is long total && total > 0 ? Math.Clamp(100.0 * (e.ImportedBytes ?? 0) / total, 0, 100) : null;

    public static string Describe(EncoderRecord e) => e.ImportedBytes switch
    {
        null => "waiting for a worker",
        var got when e.ImportTotalBytes is > 0 => $"{ByteSize.Format(got.Value)} of {ByteSize.Format(e.ImportTotalBytes.Value)} ({Percent(e):0}%)",
        var got => $"{ByteSize.Format(got.Value)} so far (size not announced)",
    };
}
