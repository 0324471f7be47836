namespace Portal.Engine.Demo.World;

/// <summary>
/// Renders demo-world scenes as float H×W×3 arrays in [0,1]: a background (two-colour gradient, checkerboard or
/// diagonal stripes), one main object of the given class at a random place, size and colour, and up to two small
/// distractor blobs. Everything comes from the caller's SplitMix64, so a (seed, index) pair is one exact image.
/// </summary>
internal static class WorldScenes
{
    public static float[] Render(int cls, ref SplitMix64 rng, int size)
    {
        var img = new float[size * size * 3];
        Background(img, size, ref rng);
        int distractors = rng.NextInt(3);
        for (int i = 0; i < distractors; i++)
        {
            var c = Colour(ref rng);
            double cx = rng.Range(0.05, 0.95) * size, cy = rng.Range(0.05, 0.95) * size, r = rng.Range(0.03, 0.07) * size;
            Fill(img, size, c, (x, y) => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r);
        }
        double s = rng.Range(0.2, 0.34) * size;
        double ox = rng.Range(s, size - s), oy = rng.Range(s, size - s);
        var col = Colour(ref rng);
        var col2 = Colour(ref rng);
        double angle = rng.Range(0, Math.PI);
        switch (cls)
        {
            case 0: Fill(img, size, col, (x, y) => Sq(x - ox) + Sq(y - oy) <= s * s); break;
            case 1: Fill(img, size, col, (x, y) => Math.Abs(x - ox) <= s * 0.8 && Math.Abs(y - oy) <= s * 0.8); break;
            case 2: Fill(img, size, col, (x, y) => InTriangle(x - ox, y - oy, s)); break;
            case 3: Fill(img, size, col, (x, y) => { var d = Sq(x - ox) + Sq(y - oy); return d <= s * s && d >= Sq(s * 0.55); }); break;
            case 4: Fill(img, size, col, (x, y) => (Math.Abs(x - ox) <= s * 0.25 && Math.Abs(y - oy) <= s) || (Math.Abs(y - oy) <= s * 0.25 && Math.Abs(x - ox) <= s)); break;
            case 5:
                {
                    double period = rng.Range(3, 6), ca = Math.Cos(angle), sa = Math.Sin(angle);
                    Fill(img, size, col, (x, y) => Math.Abs(x - ox) <= s * 0.9 && Math.Abs(y - oy) <= s * 0.9 && ((int)Math.Floor(((x - ox) * ca + (y - oy) * sa) / period) & 1) == 0);
                    Fill(img, size, col2, (x, y) => Math.Abs(x - ox) <= s * 0.9 && Math.Abs(y - oy) <= s * 0.9 && ((int)Math.Floor(((x - ox) * ca + (y - oy) * sa) / period) & 1) == 1);
                    break;
                }
            default:
                {
                    // Warning sign: black-rimmed yellow triangle with a dark mark, slightly varied in tone.
                    float[] yellow = [(float)rng.Range(0.85, 1.0), (float)rng.Range(0.7, 0.85), (float)rng.Range(0.0, 0.15)];
                    float[] black = [0.05f, 0.05f, 0.05f];
                    Fill(img, size, black, (x, y) => InTriangle(x - ox, y - oy, s));
                    Fill(img, size, yellow, (x, y) => InTriangle(x - ox, y - oy + s * 0.12, s * 0.72));
                    Fill(img, size, black, (x, y) => Math.Abs(x - ox) <= s * 0.08 && y - oy >= -s * 0.3 && y - oy <= s * 0.25);
                    break;
                }
        }
        return img;
    }

    private static double Sq(double v) => v * v;

    /// <summary>Upward equilateral-ish triangle of half-size s centred at the origin.</summary>
    private static bool InTriangle(double dx, double dy, double s)
    {
        if (dy > s * 0.7 || dy < -s) return false;
        double half = (dy + s) / (1.7 * s) * s;   // widens from the apex down to the base
        return Math.Abs(dx) <= half;
    }

    private static void Background(float[] img, int size, ref SplitMix64 rng)
    {
        var c0 = Colour(ref rng);
        var c1 = Colour(ref rng);
        int kind = rng.NextInt(3);
        double period = rng.Range(6, 16);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float t = kind switch
                {
                    0 => (float)(x + y) / (2 * size - 2),
                    1 => ((int)(x / period) + (int)(y / period)) % 2 == 0 ? 0.4f : 0.6f,
                    _ => (int)((x - y + size) / period) % 2 == 0 ? 0.42f : 0.58f,
                };
                for (int c = 0; c < 3; c++) img[(y * size + x) * 3 + c] = c0[c] * (1 - t) + c1[c] * t;
            }
    }

    private static float[] Colour(ref SplitMix64 rng) => [(float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble()];

    private static void Fill(float[] img, int size, float[] col, Func<double, double, bool> inside)
    {
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                if (inside(x + 0.5, y + 0.5))
                    for (int c = 0; c < 3; c++) img[(y * size + x) * 3 + c] = col[c];
    }
}
