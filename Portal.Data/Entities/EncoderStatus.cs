namespace Portal.Data.Entities;

/// <summary>Lifecycle of a registered checkpoint: validated in the background before it can be queued.</summary>
public enum EncoderStatus { Validating, Ready, Rejected }
