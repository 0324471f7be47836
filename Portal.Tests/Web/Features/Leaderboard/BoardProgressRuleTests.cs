using Portal.Web.Features.Leaderboard;
using Move = Portal.Web.Features.Leaderboard.BoardProgressRule.Action;

namespace Portal.Tests.Web.Features.Leaderboard;

/// <summary>An open board's reaction to job progress: live cells for its running jobs, a reload for anything else, and
/// another board's job skipped only while it runs (its end may have made this board's first row for a new encoder).</summary>
public sealed class BoardProgressRuleTests
{
    [Theory]
    [InlineData("running", true, false, Move.UpdateLive)]
    [InlineData("succeeded", true, false, Move.Reload)]
    [InlineData("queued", false, false, Move.Reload)]        // first sight: find out whether the board shows it
    [InlineData("running", false, true, Move.Ignore)]        // another board's job at work
    [InlineData("queued", false, true, Move.Ignore)]
    [InlineData("succeeded", false, true, Move.Reload)]      // its end: a new encoder's first result may land here
    [InlineData("failed", false, true, Move.Reload)]
    [InlineData("cancelled", false, true, Move.Reload)]
    public void Decides_per_message(string status, bool shown, bool foreign, Move expected) =>
        Assert.Equal(expected, BoardProgressRule.For(status, shown, foreign));
}
