using System.Threading.Channels;

namespace Portal.Web.Encoders;

/// <summary>Encoder ids waiting for background validation.</summary>
public sealed class ValidationQueue
{
    private readonly Channel<int> _channel = Channel.CreateUnbounded<int>();
    public void Enqueue(int encoderId) => _channel.Writer.TryWrite(encoderId);
    public ChannelReader<int> Reader => _channel.Reader;
}
