using System.Globalization;
using Portal.Data.Entities;
using Portal.Web.Components;

namespace Portal.Web.Features.Benchmarks;

/// <summary>
/// How a result's two numbers are labelled and formatted, by the metric the row says it holds
/// (<see cref="ResultRecord.Metric"/>: a 2AFC accuracy, a mAP, a detection rate, a top-k overlap or a mean cosine): a
/// card that calls a mAP "clean %" or a cosine "robust %" misleads at a glance.
/// </summary>
/// <param name="Clean">Label of the clean number, or null when it carries nothing (a folder benchmark's clean overlap is 1 by definition).</param>
/// <param name="Robust">Label of the number under attack, or null when the task has none.</param>
/// <param name="IsPercent">Shown as a percentage (fractions in [0, 1]); otherwise as a plain number (cosines).</param>
/// <param name="Name">The metric itself, for a table column ("2AFC accuracy", "mAP (Medium)").</param>
public sealed record ResultMetric(string? Clean, string? Robust, bool IsPercent, string Name = "")
{
    public static readonly ResultMetric TwoAfc = new("clean 2AFC accuracy", "robust 2AFC accuracy", true, "2AFC accuracy");
    public static readonly ResultMetric Map = new("clean mAP", "robust mAP", true, "mAP (Medium)");
    /// <summary>A folder benchmark has no ground truth: the attacked run keeps a share of the clean top-k neighbours.</summary>
    public static readonly ResultMetric TopK = new(null, "top-5 overlap under attack", true, "top-5 overlap");
    public static readonly ResultMetric Detection = new("detection rate (clean)", "detection rate under attack", true, "detection rate");
    public static readonly ResultMetric Cosine = new("mean cosine to the target", null, false, "mean cosine to the target");
    /// <summary>A FARE run's result is a checkpoint, not a score.</summary>
    public static readonly ResultMetric None = new(null, null, false, "none");

    /// <summary>The labels of a stored metric name (one of <see cref="ResultMetrics"/>); an unknown name reads as 2AFC accuracy.</summary>
    public static ResultMetric Of(string? metric) => metric switch
    {
        ResultMetrics.MapMedium => Map,
        ResultMetrics.TopKOverlap => TopK,
        ResultMetrics.DetectionRate => Detection,
        ResultMetrics.MeanCosine => Cosine,
        ResultMetrics.None => None,
        _ => TwoAfc,
    };

    /// <summary>What the result says it holds.</summary>
    public static ResultMetric For(ResultRecord result) => Of(result.Metric);

    /// <summary>What a job on this dataset will report, before it has a result (its live progress).</summary>
    public static ResultMetric For(DatasetRecord? dataset) => dataset is null ? TwoAfc : Of(ResultMetrics.For(dataset));

    /// <summary>The value with its unit: "71.3%" or "0.842"; an en dash when missing.</summary>
    public string Format(double? v) => v is not double d ? "–" : IsPercent ? Percent.Format(d) + "%" : d.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>"clean mAP 61.2% · robust mAP 40.1%": the numbers that exist, each with its label.</summary>
    public string Summary(double? clean, double? robust, bool attacked)
    {
        var parts = new List<string>();
        if (Clean != null) parts.Add($"{Clean} {Format(clean)}");
        if (Robust != null && attacked) parts.Add($"{Robust} {Format(robust)}");
        return string.Join(" · ", parts);
    }

    /// <summary>A column header: the label with "%" when the column holds percentages.</summary>
    public static string Header(string label, bool percent) => percent ? $"{label} (%)" : label;
}
