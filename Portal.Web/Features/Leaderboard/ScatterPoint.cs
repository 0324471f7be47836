namespace Portal.Web.Features.Leaderboard;

/// <summary>One encoder on the clean-vs-robust chart, in percent; group picks the colour (fine-tuning kind).</summary>
public sealed record ScatterPoint(double X, double Y, string Label, string Group);
