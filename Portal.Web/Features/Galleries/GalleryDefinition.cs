using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Portal.Engine.Images;
using Portal.Engine.Inversion;

using Portal.Data.Entities;

namespace Portal.Web.Features.Galleries;

/// <summary>
/// What an inversion gallery inverts, stored as <c>gallery.json</c> in its own folder under the data folder's
/// datasets/galleries/ (that folder is the gallery record's DatasetRoot). Feature galleries name a folder of target
/// images; text galleries hold their prompts and the CLIP vocabulary file the operator supplies with the checkpoints.
/// Seeds, iterations and radius are the protocol (paper defaults: 3 seeds, 500 iterations, radius 100).
/// </summary>
public sealed record GalleryDefinition
{
    public const string FileName = "gallery.json";
    public const string DefinedOrigin = "definition", RequestOrigin = "request";

    /// <summary>
    /// The prompts a text gallery gets when it is defined without any and the operator configured none
    /// (Portal:Galleries:DefaultPrompts). They are NOT the paper's Figure 6 prompts (those could not be sourced here):
    /// six everyday concepts of different kinds — an animal, an object with a colour, a painting, a landmark, a still
    /// life and a scene.
    /// </summary>
    public static readonly string[] BuiltInPrompts =
    [
        "a photo of a cat", "a photo of a red car", "a painting of a sunflower field",
        "a photo of the eiffel tower", "a bowl of fruit on a table", "a lighthouse by the sea",
    ];

    /// <summary><see cref="TaskKind.FeatureInversion"/> or <see cref="TaskKind.TextInversion"/> (= the gallery record's TaskKind).</summary>
    public required TaskKind Kind { get; init; }
    /// <summary>Feature galleries: the folder of target images (absolute, or relative to the definition's folder).</summary>
    public string? Images { get; init; }
    public IReadOnlyList<string>? Prompts { get; init; }
    /// <summary>Text galleries: bpe_simple_vocab_16e6.txt.gz (or vocab.json with merges.txt next to it), on the server.</summary>
    public string? Vocabulary { get; init; }
    /// <summary>Text tower heads when the width is not 64 per head (test/mini towers); null = width/64.</summary>
    public int? TextHeads { get; init; }
    public bool QuickGelu { get; init; }
    // The paper's protocol, as the engine defines it (3 seeds, 500 iterations, radius 100).
    private static readonly InversionSettings Paper = new();
    public IReadOnlyList<int> Seeds { get; init; } = Paper.Seeds;
    public int Iterations { get; init; } = Paper.Iterations;
    public double Radius { get; init; } = Paper.Radius;
    /// <summary>
    /// Targets (ids as the index names them: the image file name without extension, made file-safe) that show a
    /// sensitive class: their originals and reconstructions are blurred wherever they appear
    /// (<see cref="Retrieval.SensitiveBlur.ShouldBlur"/>, the one policy of every viewer and gallery). A display setting,
    /// not part of the protocol: it does not change the gallery's version.
    /// </summary>
    public IReadOnlyList<string>? SensitiveTargets { get; init; }
    /// <summary>"definition" (an operator's gallery) or "request" (one prompt a researcher asked for).</summary>
    public string Origin { get; init; } = DefinedOrigin;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public bool IsText => Kind == TaskKind.TextInversion;

    public InversionSettings Settings(int batchSize) => new()
    {
        Seeds = Seeds.ToList(), Iterations = Iterations, Radius = Radius, BatchSize = Math.Max(1, batchSize),
    };

    /// <summary>Checks everything a job needs before it is queued; messages name the field and the file.</summary>
    public void Validate(string where)
    {
        if (!Kind.IsGallery()) throw new InvalidDataException($"{where}: kind must be '{TaskKind.FeatureInversion.Key()}' or '{TaskKind.TextInversion.Key()}', got '{Kind.Key()}'");
        try { Settings(1).Validate(); }
        catch (ArgumentException e) { throw new InvalidDataException($"{where}: {e.Message}"); }
        if (Iterations > 10_000) throw new InvalidDataException($"{where}: iterations must be at most 10000, got {Iterations}");
        if (Seeds.Count > 16) throw new InvalidDataException($"{where}: at most 16 seeds, got {Seeds.Count}");
        if (TextHeads is <= 0) throw new InvalidDataException($"{where}: text_heads must be positive, got {TextHeads}");
        if (IsText)
        {
            if (Prompts is not { Count: > 0 }) throw new InvalidDataException($"{where}: a text gallery needs at least one prompt");
            for (int i = 0; i < Prompts.Count; i++)
                if (string.IsNullOrWhiteSpace(Prompts[i]) || Prompts[i].Length > 300)
                    throw new InvalidDataException($"{where}: prompt {i + 1} must be 1–300 characters");
            if (string.IsNullOrWhiteSpace(Vocabulary))
                throw new InvalidDataException($"{where}: a text gallery needs the CLIP vocabulary file (bpe_simple_vocab_16e6.txt.gz) that comes with the checkpoints");
            if (!File.Exists(Vocabulary)) throw new FileNotFoundException($"{where}: vocabulary file not found on the server: {Vocabulary}");
        }
        else if (string.IsNullOrWhiteSpace(Images)) throw new InvalidDataException($"{where}: a feature gallery needs 'images', a folder of target images");
    }

    public static GalleryDefinition Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"gallery definition not found: {path}");
        GalleryDefinition? d;
        try { d = JsonSerializer.Deserialize<GalleryDefinition>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not a gallery definition ({e.Message})"); }
        return d ?? throw new InvalidDataException($"{path}: empty gallery definition");
    }

    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json));
    }

    /// <summary>The target images of a feature gallery, sorted by file name, with the file-safe ids the index uses.</summary>
    public List<(string Id, string File)> TargetFiles(string folder)
    {
        var dir = ImagesFolder(folder);
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"gallery image folder not found: {dir}");
        var files = Directory.EnumerateFiles(dir).Where(ImageFiles.IsImageFile).OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"no images (png, jpg, bmp, webp, gif) in {dir}");
        var ids = InversionIndex.Ids(files.Select(f => Path.GetFileNameWithoutExtension(f)));
        return files.Select((f, i) => (ids[i], f)).ToList();
    }

    public string ImagesFolder(string folder) => Path.GetFullPath(Path.Combine(folder, Images ?? "."));

    /// <summary>Prompt ids as the CLI writes them: prompt&lt;i&gt;-&lt;words&gt;.</summary>
    public List<string> PromptIds() => InversionIndex.Ids((Prompts ?? []).Select((p, i) => $"prompt{i}-{p}"));

    public int TargetCount(string folder) => IsText ? Prompts!.Count : TargetFiles(folder).Count;

    /// <summary>
    /// The benchmark version: the protocol, prompts or target files (name + sha256), and the vocabulary's sha256, so a
    /// changed gallery never reuses an old result.
    /// </summary>
    public string Version(string folder)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => h.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add($"gallery:{Kind.Key()}:seeds={string.Join(',', Seeds)}:it={Iterations}:r={Radius.ToString("R", CultureInfo.InvariantCulture)}:heads={TextHeads}:quick={QuickGelu}");
        if (IsText)
        {
            foreach (var p in Prompts!) Add("prompt:" + p);
            Add("vocab:" + Portal.Engine.Checkpoints.FileHash.Sha256(Vocabulary!));
        }
        else
        {
            foreach (var (id, file) in TargetFiles(folder)) Add($"image:{id}:{Portal.Engine.Checkpoints.FileHash.Sha256(file)}");
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }
}
