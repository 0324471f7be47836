namespace Portal.Engine.Encoders;

/// <summary>A checkpoint that cannot become an encoder: wrong architecture, key mismatch, bad adapter. The message names the problem.</summary>
public sealed class EncoderLoadException(string message) : Exception(message);
