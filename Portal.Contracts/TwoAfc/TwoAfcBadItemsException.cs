
namespace Portal.Engine.TwoAfc;

/// <summary>Unreadable items stop a run (unless the user asked to skip them); the message lists each by path.</summary>
public sealed class TwoAfcBadItemsException(IReadOnlyList<BadItem> bad)
    : Exception(Describe(bad))
{
    public IReadOnlyList<BadItem> Bad { get; } = bad;

    private static string Describe(IReadOnlyList<BadItem> bad)
    {
        const int shown = 20;
        var lines = bad.Take(shown).Select(b => $"  item {b.Id}: {b.Path}: {b.Reason}");
        var more = bad.Count > shown ? $"\n  … and {bad.Count - shown} more" : "";
        return $"{bad.Count} unreadable item(s) (rerun with skipping enabled to leave them out):\n{string.Join('\n', lines)}{more}";
    }
}
