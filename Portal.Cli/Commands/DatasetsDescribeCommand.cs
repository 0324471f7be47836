using System.Text.Json;
using Portal.Worker.Datasets;

namespace Portal.Cli.Commands;

/// <summary>`portal datasets describe --kind retrieval|detection --format F --root DIR [--split S]`: what registration records of a dataset (the web runs this).</summary>
public sealed class DatasetsDescribeCommand : ICommand
{
    public string[] Path => ["datasets", "describe"];
    public string Summary => "queries, splits and version hash of a retrieval/detection dataset folder (JSON)";
    public IReadOnlySet<string> Flags { get; } = new HashSet<string>();

    public Task<int> RunAsync(CliArgs args, CancellationToken ct)
    {
        var kind = Portal.Data.Entities.TaskKinds.Parse(args.Required("kind"));
        var format = args.Required("format");
        var root = System.IO.Path.GetFullPath(args.Required("root"));
        var split = args.Get("split") ?? "test";
        args.EnsureAllUsed();
        var shape = TaskDatasets.Describe(kind, format, root, split);
        Console.Out.WriteLine(JsonSerializer.Serialize(shape, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        return Task.FromResult(0);
    }
}
