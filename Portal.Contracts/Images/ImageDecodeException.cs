namespace Portal.Engine.Images;

public sealed class ImageDecodeException(string message, Exception? inner = null) : Exception(message, inner);
