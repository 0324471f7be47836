using Portal.Engine.Records;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Portal.Engine.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace Portal.Engine.Retrieval;

/// <summary>
/// Writes evidence PNGs and keeps <c>index.json</c> up to date after every item (written to a temp file and moved, so a
/// killed run leaves a valid index). Items already in an existing index of the same kind and benchmark are kept, so a
/// resumed run adds to it. Neighbour thumbnails are shared between items (one file per database image).
/// </summary>
public sealed class EvidenceWriter
{
    public static JsonSerializerOptions Json => EvidenceIndex.Json;
    public string Folder { get; }
    public string IndexPath => Path.Combine(Folder, "index.json");
    private readonly EvidenceIndex _header;
    private readonly List<EvidenceItem> _items = [];
    private readonly HashSet<string> _thumbs = [];

    public EvidenceWriter(string folder, EvidenceIndex header)
    {
        Folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(Folder);
        _header = header;
        if (File.Exists(IndexPath))
        {
            try
            {
                var old = JsonSerializer.Deserialize<EvidenceIndex>(File.ReadAllText(IndexPath), Json);
                if (old != null && old.Kind == header.Kind && old.Benchmark == header.Benchmark && old.Model == header.Model && old.Eps == header.Eps)
                    _items.AddRange(old.Items);
            }
            catch (JsonException e) { throw new FormatException($"{IndexPath}: existing evidence index is damaged ({e.Message}); delete it to start over", e); }
        }
    }

    public bool Has(string id) => _items.Any(i => i.Id == id);

    /// <summary>A file-system-safe name: readable prefix plus a short hash of the id (ids may hold any characters).</summary>
    public static string SafeName(string id)
    {
        var clean = new string(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
        if (clean.Length > 40) clean = clean[..40];
        return clean + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..10];
    }

    /// <summary>Saves a 3×H×W image under sub/name.png and returns the relative path.</summary>
    public string SaveImage(Tensor chw, string sub, string name)
    {
        var rel = sub + "/" + name + ".png";
        var full = Path.Combine(Folder, sub, name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        ImageIO.SavePng(chw, full);
        return rel;
    }

    /// <summary>The perturbation made visible: 0.5 + δ·0.5/ε, clamped (ε = 0 shows flat grey).</summary>
    public string SavePerturbation(Tensor adversarial, Tensor clean, double eps, string name)
    {
        using var scope = torch.NewDisposeScope();
        var d = adversarial - clean;
        var vis = eps > 0 ? (d * (0.5 / eps) + 0.5).clamp(0, 1) : torch.full_like(d, 0.5);
        return SaveImage(vis, "perturbations", name);
    }

    /// <summary>A database image's thumbnail, written once.</summary>
    public string Thumbnail(RetrievalImage image)
    {
        var name = SafeName(image.Id);
        var rel = "neighbours/" + name + ".png";
        if (_thumbs.Add(name) && !File.Exists(Path.Combine(Folder, rel)))
        {
            using var t = RetrievalImages.Thumbnail(image);
            SaveImage(t, "neighbours", name);
        }
        return rel;
    }

    public void Add(EvidenceItem item)
    {
        _items.RemoveAll(i => i.Id == item.Id);
        _items.Add(item);
        var tmp = IndexPath + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(_header with { Items = _items }, Json));
        File.Move(tmp, IndexPath, overwrite: true);
    }

    /// <summary>Deterministic sample of ids for evidence: the <paramref name="count"/> ids with the smallest seeded hash.</summary>
    public static HashSet<string> Sample(IEnumerable<string> ids, int count, int seed) =>
        ids.OrderBy(id => Attacks.ItemSeed.For(seed, "evidence\u001f" + id)).ThenBy(id => id, StringComparer.Ordinal)
           .Take(Math.Max(count, 0)).ToHashSet();
}
