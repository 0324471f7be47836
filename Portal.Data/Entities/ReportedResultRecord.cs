namespace Portal.Data.Entities;

/// <summary>
/// A number a paper reports (not measured here): one cell of one of its tables, with its provenance (paper, table, the
/// 1-based data row of the CSV it came from). The value is kept as printed (<see cref="ValueText"/>, "-" included) and
/// parsed (<see cref="Value"/>, null when the paper prints no number). Unique on (Paper, Table, Row).
/// </summary>
public sealed class ReportedResultRecord
{
    public int Id { get; set; }
    /// <summary>"arXiv:2502.11725".</summary>
    public required string Paper { get; set; }
    public string? PaperTitle { get; set; }
    /// <summary>The table's number as the paper writes it ("I", "XV").</summary>
    public required string Table { get; set; }
    /// <summary>1-based data line of the table's CSV (the header is line 0).</summary>
    public int Row { get; set; }
    public required string Method { get; set; }
    public required string Encoder { get; set; }
    public required string Training { get; set; }
    public required string Benchmark { get; set; }
    public required string Split { get; set; }
    public required string Metric { get; set; }
    /// <summary>clean, linf or l2.</summary>
    public required string Threat { get; set; }
    /// <summary>The radius as printed ("4/255", "3"); empty for clean.</summary>
    public string Eps { get; set; } = "";
    /// <summary>The printed token ("74.3", "4.30", "-").</summary>
    public required string ValueText { get; set; }
    public double? Value { get; set; }
    public string Reference { get; set; } = "";
    public string Note { get; set; } = "";
    /// <summary>The CSV file it was read from ("table_I.csv").</summary>
    public required string Source { get; set; }
    public DateTime ImportedAt { get; set; }
}
