using System.Formats.Tar;
using Portal.Engine.Fetch;
using Portal.Tests.Support;

namespace Portal.Tests.Fetch;

/// <summary>Hostile archives: traversal, absolute paths, links, devices, bombs. Nothing may be written outside the destination.</summary>
public class SafeExtractorTests
{
    private static (string Archive, string Dest) Setup(FixturePaths.TempDir dir, string name, byte[] bytes)
    {
        var archive = dir.File(name);
        File.WriteAllBytes(archive, bytes);
        var dest = Path.Combine(dir.Path, "out", "inner");
        Directory.CreateDirectory(dest);
        return (archive, dest);
    }

    /// <summary>Every file under the temp dir other than the archive and what is under dest.</summary>
    private static string[] Outside(FixturePaths.TempDir dir, string archive, string dest) =>
        Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories).Where(f => f != archive && !f.StartsWith(dest + Path.DirectorySeparatorChar)).ToArray();

    [Fact]
    public void Zip_and_tar_extract_files_and_folders()
    {
        using var dir = new FixturePaths.TempDir();
        var (zip, dest) = Setup(dir, "a.zip", FetchTestData.Zip(("d/", ""), ("d/x.txt", "x"), ("y.txt", "y")));
        var s = SafeExtractor.Extract(zip, dest, ExtractionLimits.Default);
        Assert.Equal(2, s.Files);
        Assert.Equal("x", File.ReadAllText(Path.Combine(dest, "d", "x.txt")));
        var (tgz, dest2) = Setup(dir, "b.tar.gz", FetchTestData.TarGz(("val/", ""), ("val/ref/0.png", "p")));
        SafeExtractor.Extract(tgz, dest2, ExtractionLimits.Default);
        Assert.Equal("p", File.ReadAllText(Path.Combine(dest2, "val", "ref", "0.png")));
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("ok/../../evil.txt")]
    [InlineData("..\\evil.txt")]
    [InlineData("/tmp/evil.txt")]
    [InlineData("C:/evil.txt")]
    public void A_zip_entry_escaping_the_folder_is_refused_with_nothing_written_outside(string name)
    {
        using var dir = new FixturePaths.TempDir();
        var (zip, dest) = Setup(dir, "evil.zip", FetchTestData.Zip(("good.txt", "g"), (name, "evil")));
        var e = Assert.Throws<FetchException>(() => SafeExtractor.Extract(zip, dest, ExtractionLimits.Default));
        Assert.Contains("refused", e.Message);
        Assert.Empty(Outside(dir, zip, dest));
    }

    [Theory]
    [InlineData("../evil.txt")]
    [InlineData("a/../../evil.txt")]
    [InlineData("/evil.txt")]
    public void A_tar_entry_escaping_the_folder_is_refused_with_nothing_written_outside(string name)
    {
        using var dir = new FixturePaths.TempDir();
        var (tgz, dest) = Setup(dir, "evil.tar.gz", FetchTestData.TarGz(("good.txt", "g"), (name, "evil")));
        var e = Assert.Throws<FetchException>(() => SafeExtractor.Extract(tgz, dest, ExtractionLimits.Default));
        Assert.Contains("refused", e.Message);
        Assert.Empty(Outside(dir, tgz, dest));
        Assert.False(File.Exists("/evil.txt"));
    }

    [Theory]
    [InlineData(TarEntryType.SymbolicLink, "../../outside")]
    [InlineData(TarEntryType.SymbolicLink, "inside.txt")]
    [InlineData(TarEntryType.HardLink, "/etc/passwd")]
    public void Tar_links_are_refused_whatever_they_point_at(TarEntryType type, string target)
    {
        using var dir = new FixturePaths.TempDir();
        // A link then a file written through it: the classic two-step escape.
        var bytes = FetchTestData.TarGz(
            new PaxTarEntry(type, "link") { LinkName = target },
            new PaxTarEntry(TarEntryType.RegularFile, "link/pwn.txt") { DataStream = new MemoryStream("x"u8.ToArray()) });
        var (tgz, dest) = Setup(dir, "links.tar.gz", bytes);
        var e = Assert.Throws<FetchException>(() => SafeExtractor.Extract(tgz, dest, ExtractionLimits.Default));
        Assert.Contains("link", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dest));
        Assert.Empty(Outside(dir, tgz, dest));
    }

    [Theory]
    [InlineData(TarEntryType.CharacterDevice)]
    [InlineData(TarEntryType.BlockDevice)]
    [InlineData(TarEntryType.Fifo)]
    public void Tar_device_and_fifo_entries_are_refused(TarEntryType type)
    {
        using var dir = new FixturePaths.TempDir();
        var (tgz, dest) = Setup(dir, "dev.tar.gz", FetchTestData.TarGz(new PaxTarEntry(type, "dev0")));
        Assert.Throws<FetchException>(() => SafeExtractor.Extract(tgz, dest, ExtractionLimits.Default));
        Assert.Empty(Directory.GetFileSystemEntries(dest));
    }

    [Fact]
    public void A_zip_symlink_entry_is_refused()
    {
        using var dir = new FixturePaths.TempDir();
        var (zip, dest) = Setup(dir, "ln.zip", FetchTestData.Zip([("link", "../../etc/passwd", 0xA1FF)]));
        var e = Assert.Throws<FetchException>(() => SafeExtractor.Extract(zip, dest, ExtractionLimits.Default));
        Assert.Contains("symbolic link", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(dest));
    }

    [Fact]
    public void The_total_size_and_file_count_caps_hold()
    {
        using var dir = new FixturePaths.TempDir();
        var (zip, dest) = Setup(dir, "bomb.zip", FetchTestData.Zip(("big.txt", new string('0', 100_000))));
        var e = Assert.Throws<FetchException>(() => SafeExtractor.Extract(zip, dest, new ExtractionLimits(MaxTotalBytes: 10_000)));
        Assert.Contains("more than 10000 bytes", e.Message);
        var (tgz, dest2) = Setup(dir, "many.tar.gz", FetchTestData.TarGz(Enumerable.Range(0, 20).Select(i => ($"f{i}.txt", "x")).ToArray()));
        var e2 = Assert.Throws<FetchException>(() => SafeExtractor.Extract(tgz, dest2, new ExtractionLimits(MaxFiles: 10)));
        Assert.Contains("more than 10 files", e2.Message);
    }

    [Fact]
    public void Flatten_keeps_file_names_and_refuses_collisions()
    {
        using var dir = new FixturePaths.TempDir();
        var (tgz, dest) = Setup(dir, "paris.tgz", FetchTestData.TarGz(("paris/defense/a.jpg", "a"), ("paris/eiffel/b.jpg", "b")));
        SafeExtractor.Extract(tgz, dest, ExtractionLimits.Default, flatten: true);
        Assert.Equal(["a.jpg", "b.jpg"], Directory.GetFiles(dest).Select(Path.GetFileName).Order());
        var (tgz2, dest2) = Setup(dir, "dup.tgz", FetchTestData.TarGz(("x/a.jpg", "1"), ("y/a.jpg", "2")));
        Assert.Throws<IOException>(() => SafeExtractor.Extract(tgz2, dest2, ExtractionLimits.Default, flatten: true));
    }
}
