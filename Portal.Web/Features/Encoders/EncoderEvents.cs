namespace Portal.Web.Features.Encoders;

/// <summary>In-process notification that an encoder's status changed (pages refresh their lists).</summary>
public sealed class EncoderEvents
{
    public event Action<int>? OnChanged;
    public void Changed(int id) => OnChanged?.Invoke(id);
}
