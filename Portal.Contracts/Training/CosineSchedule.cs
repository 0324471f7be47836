namespace Portal.Engine.Training;

/// <summary>
/// OpenCLIP's cosine_lr (what FARE uses): linear warm-up base·(s+1)/warmup for s &lt; warmup, then
/// base·½(1 + cos(π·(s − warmup)/(steps − warmup))). Step s is 0-based and the rate applies to that step's update.
/// </summary>
public static class CosineSchedule
{
    public static double At(int step, double baseRate, int warmup, int steps)
    {
        if (step < warmup) return baseRate * (step + 1) / warmup;
        int decay = steps - warmup;
        if (decay <= 0) return baseRate;
        return 0.5 * (1 + Math.Cos(Math.PI * (step - warmup) / decay)) * baseRate;
    }
}
