using Portal.Engine.Checkpoints;
using Portal.Engine.Checkpoints.Pickle;

namespace Portal.Engine.Retrieval;

/// <summary>One revisitop query: its bounding box (x1, y1, x2, y2, 0-based pixels) and the database indices per label.</summary>
public sealed record RevisitopQuery(string Name, double[] Bbx, int[] Easy, int[] Hard, int[] Junk);

/// <summary>
/// The revisited Oxford/Paris ground truth (<c>gnd_roxford5k.pkl</c> / <c>gnd_rparis6k.pkl</c>): a dict with
/// <c>imlist</c> (database names), <c>qimlist</c> (query names, not in imlist) and <c>gnd</c> (one dict per query with
/// <c>bbx</c>, <c>easy</c>, <c>hard</c>, <c>junk</c>). Read through the restricted unpickler: lists or numpy arrays are
/// both accepted for the numbers; every malformed entry is reported with the file and the key.
/// </summary>
public sealed record RevisitopGroundTruth(IReadOnlyList<string> ImList, IReadOnlyList<RevisitopQuery> Queries)
{
    public static RevisitopGroundTruth Load(string path)
    {
        var root = PickleReader.LoadPlainData(path) as OrderedDictionary<object, object?>
                   ?? throw new CheckpointFormatException($"{path}: ground truth must be a dict with imlist, qimlist and gnd");
        var imlist = Strings(Key(root, "imlist", path), path, "imlist");
        var qimlist = Strings(Key(root, "qimlist", path), path, "qimlist");
        if (Key(root, "gnd", path) is not List<object?> gnd)
            throw new CheckpointFormatException($"{path}: 'gnd' must be a list of dicts");
        if (gnd.Count != qimlist.Count)
            throw new CheckpointFormatException($"{path}: 'gnd' has {gnd.Count} entries but 'qimlist' names {qimlist.Count} queries");
        var queries = new List<RevisitopQuery>(gnd.Count);
        for (int q = 0; q < gnd.Count; q++)
        {
            var where = $"gnd[{q}] ({qimlist[q]})";
            if (gnd[q] is not OrderedDictionary<object, object?> d) throw new CheckpointFormatException($"{path}: {where} is not a dict");
            var bbx = Numbers(Key(d, "bbx", path, where), path, where + ".bbx");
            if (bbx.Length != 4) throw new CheckpointFormatException($"{path}: {where}.bbx has {bbx.Length} numbers, expected 4 (x1, y1, x2, y2)");
            if (!(bbx[2] > bbx[0] && bbx[3] > bbx[1])) throw new CheckpointFormatException($"{path}: {where}.bbx [{string.Join(", ", bbx)}] is empty");
            // junk is optional in revisitop's compute_map (a missing key counts as no junk).
            int[] Idx(string k, bool required) =>
                !d.TryGetValue(k, out var v) ? (required ? throw new CheckpointFormatException($"{path}: {where} has no '{k}'") : [])
                : Indices(v, path, $"{where}.{k}", imlist.Count);
            queries.Add(new RevisitopQuery(qimlist[q], bbx, Idx("easy", true), Idx("hard", true), Idx("junk", false)));
        }
        return new RevisitopGroundTruth(imlist, queries);
    }

    private static object? Key(OrderedDictionary<object, object?> d, string key, string path, string? where = null) =>
        d.TryGetValue(key, out var v) ? v : throw new CheckpointFormatException($"{path}: {(where == null ? "" : where + " ")}has no '{key}'");

    private static List<string> Strings(object? o, string path, string key) =>
        o is List<object?> l
            ? l.Select((x, i) => x as string ?? throw new CheckpointFormatException($"{path}: {key}[{i}] is not a string")).ToList()
            : throw new CheckpointFormatException($"{path}: '{key}' must be a list of names");

    private static double[] Numbers(object? o, string path, string key) => o switch
    {
        NumpyArray a => a.ToDoubles(),
        List<object?> l => l.Select((x, i) => x switch
        {
            long n => n,
            double d => d,
            bool b => b ? 1 : 0,
            _ => throw new CheckpointFormatException($"{path}: {key}[{i}] is not a number"),
        }).ToArray(),
        PyTuple t => Numbers(t.Items.ToList(), path, key),
        _ => throw new CheckpointFormatException($"{path}: {key} must be a list or numpy array of numbers"),
    };

    private static int[] Indices(object? o, string path, string key, int n)
    {
        var xs = Numbers(o, path, key);
        var r = new int[xs.Length];
        for (int i = 0; i < xs.Length; i++)
        {
            if (xs[i] != Math.Floor(xs[i]) || xs[i] < 0 || xs[i] >= n)
                throw new CheckpointFormatException($"{path}: {key}[{i}] = {xs[i]} is not an index into imlist (0..{n - 1})");
            r[i] = (int)xs[i];
        }
        return r;
    }
}
