namespace Portal.Engine.Demo;

/// <summary>Procedural RGB images as float H×W×3 arrays in [0,1], and the distortions the demo triplets are built from.</summary>
internal static class DemoImages
{
    /// <summary>A gradient background with a few random discs and rectangles.</summary>
    public static float[] Scene(ref SplitMix64 rng, int size)
    {
        var img = new float[size * size * 3];
        var c0 = Color(ref rng);
        var c1 = Color(ref rng);
        var horizontal = rng.NextDouble() < 0.5;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                var t = (float)(horizontal ? x : y) / (size - 1);
                for (int c = 0; c < 3; c++) img[(y * size + x) * 3 + c] = c0[c] * (1 - t) + c1[c] * t;
            }
        int shapes = 2 + rng.NextInt(4);
        for (int s = 0; s < shapes; s++)
        {
            var col = Color(ref rng);
            double cx = rng.Range(0.1, 0.9) * size, cy = rng.Range(0.1, 0.9) * size, r = rng.Range(0.08, 0.25) * size;
            bool disc = rng.NextDouble() < 0.5;
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    bool inside = disc ? (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r
                                       : Math.Abs(x - cx) <= r && Math.Abs(y - cy) <= r * 0.6;
                    if (inside) for (int c = 0; c < 3; c++) img[(y * size + x) * 3 + c] = col[c];
                }
        }
        return img;
    }

    private static float[] Color(ref SplitMix64 rng) => [(float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.NextDouble()];

    public static float[] Noise(float[] src, double sigma, ref SplitMix64 rng)
    {
        var o = new float[src.Length];
        for (int i = 0; i < o.Length; i++) o[i] = Clamp(src[i] + sigma * rng.NextGaussian());
        return o;
    }

    /// <summary>Translation by (dx, dy) pixels with edge replication: perceptually mild, large in pixel distance.</summary>
    public static float[] Shift(float[] src, int size, int dx, int dy)
    {
        var o = new float[src.Length];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                int sx = Math.Clamp(x - dx, 0, size - 1), sy = Math.Clamp(y - dy, 0, size - 1);
                for (int c = 0; c < 3; c++) o[(y * size + x) * 3 + c] = src[(sy * size + sx) * 3 + c];
            }
        return o;
    }

    public static float[] Brightness(float[] src, double delta)
    {
        var o = new float[src.Length];
        for (int i = 0; i < o.Length; i++) o[i] = Clamp(src[i] + delta);
        return o;
    }

    /// <summary>A grey block covering a fraction of the image: a structural change.</summary>
    public static float[] Occlude(float[] src, int size, double fraction, ref SplitMix64 rng)
    {
        var o = (float[])src.Clone();
        int side = Math.Max(1, (int)(Math.Sqrt(fraction) * size));
        int x0 = rng.NextInt(size - side + 1), y0 = rng.NextInt(size - side + 1);
        for (int y = y0; y < y0 + side; y++)
            for (int x = x0; x < x0 + side; x++)
                for (int c = 0; c < 3; c++) o[(y * size + x) * 3 + c] = 0.5f;
        return o;
    }

    public static byte[] ToRgbBytes(float[] img)
    {
        var b = new byte[img.Length];
        for (int i = 0; i < b.Length; i++) b[i] = (byte)Math.Round(Math.Clamp(img[i], 0f, 1f) * 255f);
        return b;
    }

    private static float Clamp(double v) => (float)Math.Clamp(v, 0.0, 1.0);
}
