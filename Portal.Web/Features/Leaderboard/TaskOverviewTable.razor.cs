using Microsoft.AspNetCore.Components;

namespace Portal.Web.Features.Leaderboard;

public partial class TaskOverviewTable
{
    /// <summary>The overview 2AFC board (its rows give the 2AFC columns); the table reloads when it changes.</summary>
    [Parameter] public Leaderboard? Board { get; set; }
    private TaskOverview? _overview;
    private double?[] _best = [];
    private Leaderboard? _built;

    protected override async Task OnParametersSetAsync()
    {
        if (_overview != null && ReferenceEquals(_built, Board)) return;
        _built = Board;
        _overview = await Service.BuildAsync(Board);
        _best = Enumerable.Range(0, _overview.Columns.Count).Select(_overview.Best).ToArray();
    }

    private static IEnumerable<(string Name, string Href, int Count)> Groups(TaskOverview o)
    {
        for (var i = 0; i < o.Columns.Count; i++)
            if (i == 0 || o.Columns[i - 1].Group != o.Columns[i].Group)
                yield return (o.Columns[i].Group, o.Columns[i].Href, o.Columns.Count(x => x.Group == o.Columns[i].Group));
    }
}
