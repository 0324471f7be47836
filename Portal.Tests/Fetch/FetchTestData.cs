using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Tests.Fetch;

/// <summary>Bytes and archives for the fetch tests, built in memory.</summary>
public static class FetchTestData
{
    public static byte[] Bytes(int n, int seed = 1)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    public static string Sha(byte[] b) => Convert.ToHexStringLower(SHA256.HashData(b));

    public static byte[] Zip(params (string Name, string Text)[] entries) => Zip(entries.Select(e => (e.Name, e.Text, 0)).ToArray());

    /// <param name="entries">name, content, unix mode bits for the external attributes (0 = none).</param>
    public static byte[] Zip((string Name, string Text, int UnixMode)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text, mode) in entries)
            {
                var e = zip.CreateEntry(name);
                if (mode != 0) e.ExternalAttributes = mode << 16;
                if (!name.EndsWith('/')) using (var w = new StreamWriter(e.Open())) w.Write(text);
            }
        return ms.ToArray();
    }

    /// <summary>A .tar.gz of regular files and folders (name ending in '/').</summary>
    public static byte[] TarGz(params (string Name, string Text)[] entries) =>
        TarGz(entries.Select(e => e.Name.EndsWith('/')
            ? new PaxTarEntry(TarEntryType.Directory, e.Name)
            : new PaxTarEntry(TarEntryType.RegularFile, e.Name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(e.Text)) }).ToArray<TarEntry>());

    public static byte[] TarGz(params TarEntry[] entries)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
            foreach (var e in entries) tar.WriteEntry(e);
        return ms.ToArray();
    }

    /// <summary>nights.zip in DreamSim's layout: nights/data.csv, nights/ref/000/…, nights/distort/000/….</summary>
    public static byte[] FakeNightsZip() => Zip(
        ("nights/", ""),
        ("nights/data.csv", "id,left_vote,right_vote,votes,ref_path,left_path,right_path,split,is_imagenet\n0,2,4,6,ref/000/000.png,distort/000/000_0.png,distort/000/000_1.png,test,True\n"),
        ("nights/ref/000/000.png", "png-bytes"),
        ("nights/distort/000/000_0.png", "png-0"),
        ("nights/distort/000/000_1.png", "png-1"));
}
