namespace Portal.Engine.Checkpoints;

/// <summary>A checkpoint file that cannot be read safely: truncated, oversized, lying about its contents, or hostile.</summary>
public sealed class CheckpointFormatException(string message, Exception? inner = null) : Exception(message, inner);
