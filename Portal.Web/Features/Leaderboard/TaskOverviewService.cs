using Portal.Web.Features.Retrieval;

namespace Portal.Web.Features.Leaderboard;

/// <summary>Every retrieval and detection board, for the all-tasks overview.</summary>
public sealed class TaskOverviewService(RetrievalQueries queries)
{
    public async Task<TaskOverview> BuildAsync(Leaderboard? twoAfc)
    {
        var boards = new List<TaskBoardInput>();
        foreach (var b in await queries.Benchmarks()) boards.Add(new(b, await queries.Board(b.Id)));
        return TaskOverview.Build(twoAfc, boards);
    }
}
