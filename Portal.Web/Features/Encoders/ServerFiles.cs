using Microsoft.Extensions.Options;
using Portal.Web.Configuration;

namespace Portal.Web.Features.Encoders;

/// <summary>
/// Which files and folders on the server the portal may be told to read (a checkpoint registered in place, a FARE image
/// folder). Only under the configured roots, which default to one models folder; never inside the data folder (the
/// database, its WAL, the data-protection keys, other users' uploads: a second SQLite descriptor on the live database
/// even drops its POSIX locks); symlinks are followed before the check, so a link cannot point out of a root.
/// </summary>
public sealed class ServerFiles
{
    private readonly IReadOnlyList<string> _roots;
    private readonly string _dataRoot;

    public ServerFiles(IOptions<PortalOptions> options, DataPaths paths, IConfiguration config, IHostEnvironment env)
    {
        var baseDir = config[RootSettings.BaseDirectoryKey] ?? env.ContentRootPath;
        _roots = (options.Value.ServerFileRoots ?? [PortalOptions.DefaultServerFileRoot])
            .Where(r => !string.IsNullOrWhiteSpace(r))
            .Select(r => WithSlash(Portal.Data.DataFolder.Resolve(r, baseDir))).ToList();
        _dataRoot = WithSlash(paths.Root);
    }

    public IReadOnlyList<string> Roots => _roots;

    /// <summary>The full path of an existing file that may be read, or an <see cref="UnauthorizedAccessException"/> / <see cref="FileNotFoundException"/> saying why not.</summary>
    public string File(string path) => Check(path, isFolder: false);

    public string Folder(string path) => Check(path, isFolder: true);

    private string Check(string path, bool isFolder)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Any(char.IsControl)) throw new ArgumentException("give the absolute path of a file on the server");
        if (_roots.Count == 0) throw new UnauthorizedAccessException("no server folder is open to registration (Portal:ServerFileRoots is empty)");
        var full = Path.GetFullPath(path);
        if (!Allowed(full)) throw new UnauthorizedAccessException($"{full} is not under an allowed folder (Portal:ServerFileRoots: {string.Join(", ", _roots)})");
        var exists = isFolder ? Directory.Exists(full) : System.IO.File.Exists(full);
        if (!exists) throw new FileNotFoundException(isFolder ? $"no such folder on the server: {full}" : $"no such file on the server: {full}");
        // Where it really is: a link inside a root may point at the database.
        var real = RealPath(full, isFolder);
        if (!Allowed(real)) throw new UnauthorizedAccessException($"{full} links to {real}, which is not under an allowed folder");
        return real;
    }

    private bool Allowed(string full)
    {
        var f = WithSlash(full);
        return !f.StartsWith(_dataRoot, StringComparison.Ordinal) && !_dataRoot.StartsWith(f, StringComparison.Ordinal)
            && _roots.Any(r => f.StartsWith(r, StringComparison.Ordinal));
    }

    /// <summary>The path with every symlink on it resolved (each segment in turn, as realpath does).</summary>
    private static string RealPath(string full, bool isFolder)
    {
        var root = Path.GetPathRoot(full)!;
        var current = root;
        var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var next = Path.Combine(current, parts[i]);
            var last = i == parts.Length - 1;
            FileSystemInfo info = last && !isFolder ? new FileInfo(next) : new DirectoryInfo(next);
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            current = target != null ? Path.GetFullPath(target.FullName) : next;
        }
        return current;
    }

    private static string WithSlash(string p) => p.EndsWith(Path.DirectorySeparatorChar) ? p : p + Path.DirectorySeparatorChar;
}
