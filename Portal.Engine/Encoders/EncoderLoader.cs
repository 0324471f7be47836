namespace Portal.Engine.Encoders;

/// <summary>Loads any supported checkpoint file as an <see cref="IImageEncoder"/>.</summary>
public static class EncoderLoader
{
    // CONTRACT STUB: implemented on branch h2-encoders.
    public static IImageEncoder Load(string path, EncoderLoadOptions? options = null) =>
        throw new NotSupportedException("EncoderLoader is being implemented (branch h2-encoders)");
}
