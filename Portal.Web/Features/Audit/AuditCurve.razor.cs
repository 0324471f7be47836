using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Portal.Web.Components;

namespace Portal.Web.Features.Audit;

public partial class AuditCurve : ChartCanvas
{
    public sealed record Point(double X, double Y, string Label);

    [Parameter, EditorRequired] public IReadOnlyList<Point> Points { get; set; } = [];
    [Parameter] public string XTitle { get; set; } = "";
    [Parameter] public double? Reference { get; set; }

    protected override string Signature() => string.Join(';', Points.Select(p => $"{p.X}:{p.Y}")) + XTitle + Reference;

    protected override ValueTask<bool> DrawAsync(IJSObjectReference charts) =>
        charts.InvokeAsync<bool>("renderCurve", CanvasId, Points.Select(p => new { x = p.X, y = p.Y }), XTitle, "robust accuracy", Reference, false);
}
