namespace Portal.Engine.Fetch;

/// <summary>Caps on what one archive may write: a zip or tar bomb is refused at the entry that passes them.</summary>
public sealed record ExtractionLimits(long MaxTotalBytes = 64L << 30, int MaxFiles = 2_000_000)
{
    public static readonly ExtractionLimits Default = new();
}
