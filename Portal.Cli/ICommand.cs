namespace Portal.Cli;

public interface ICommand
{
    /// <summary>Words that select this command, e.g. ["eval", "2afc"].</summary>
    string[] Path { get; }
    string Summary { get; }
    /// <summary>Option names that take no value.</summary>
    IReadOnlySet<string> Flags { get; }
    Task<int> RunAsync(CliArgs args, CancellationToken ct);
}
