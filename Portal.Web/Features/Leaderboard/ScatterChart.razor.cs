using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Web.Components;

namespace Portal.Web.Features.Leaderboard;

public partial class ScatterChart : ChartCanvas
{
    [Parameter, EditorRequired] public IReadOnlyList<ScatterPoint> Points { get; set; } = [];
    [Parameter] public string XTitle { get; set; } = "clean accuracy (%)";
    [Parameter] public string YTitle { get; set; } = "robust accuracy (%)";
    [Parameter] public bool Dark { get; set; }

    protected override string Signature() =>
        string.Join(';', Points.Select(p => $"{p.Label}:{p.X:0.###}:{p.Y:0.###}:{p.Group}")) + XTitle + YTitle + Dark;

    protected override ValueTask<bool> DrawAsync(IJSObjectReference charts) =>
        charts.InvokeAsync<bool>("renderScatter", CanvasId, Points.Select(p => new { x = p.X, y = p.Y, label = p.Label, group = p.Group }), XTitle, YTitle, Dark);
}
