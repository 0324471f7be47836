using System.Globalization;
using Microsoft.AspNetCore.Components;
using Portal.Data.Entities;
using Portal.Web.Components;
using Portal.Web.Features.Benchmarks;
using Portal.Web.Features.Leaderboard;

namespace Portal.Web.Features.Evaluations;

public partial class ReproducibilityCard
{
    [Parameter, EditorRequired] public ResultRecord Result { get; set; } = default!;
    private List<SanityCheckView> _sanity = [];

    private ResultMetric _metric = ResultMetric.TwoAfc;

    protected override void OnParametersSet()
    {
        _sanity = SanityCheckView.Parse(Result.SanityJson);
        _metric = ResultMetric.For(Result);
    }

    private bool ShowRobust => _metric.Robust != null && Result.Config.IsAttack;
    // Column values without the unit (the header has it).
    private string Plain(double? v) => _metric.IsPercent ? Percent.Format(v) : _metric.Format(v);
    // What a "split" is for this task: a 2AFC split, a retrieval protocol, a detection class, a gallery's target.
    private string SplitName => Result.Dataset?.TaskKind switch
    {
        TaskKind.Retrieval => "Protocol", TaskKind.Detection => "True class",
        TaskKind.FeatureInversion or TaskKind.TextInversion => "Target",
        _ => "Split",
    };

    private string Eps => Result.Config.Norm == "linf"
        ? LeaderboardBuilder.LinfLabel(Result.Config.Eps)
        : LeaderboardBuilder.L2Label(Result.Config.Eps);

    private string Wall => Result.WallSeconds switch
    {
        < 120 => $"{Result.WallSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
        < 7200 => $"{(Result.WallSeconds / 60).ToString("0.0", CultureInfo.InvariantCulture)} min",
        _ => $"{(Result.WallSeconds / 3600).ToString("0.00", CultureInfo.InvariantCulture)} h",
    };

    private static string Num(double? v) => v is double d ? (Math.Abs(d) >= 1e4 || (d != 0 && Math.Abs(d) < 1e-3) ? d.ToString("0.###e0", CultureInfo.InvariantCulture) : d.ToString("0.####", CultureInfo.InvariantCulture)) : "–";
}
