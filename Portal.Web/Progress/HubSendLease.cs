namespace Portal.Web.Progress;

/// <summary>
/// Whether this web node sends SignalR messages. Without a backplane every node sends to its own browsers; with the
/// Redis backplane one node's send reaches every node's browsers, so exactly one node (the lease holder) sends, or each
/// browser would get every message once per node.
/// </summary>
public interface IHubSendLease
{
    bool Held { get; }
    /// <summary>Counts the times this node gained the lease: the relay re-sends recent changes when it changes.</summary>
    long Term { get; }
}

/// <summary>No backplane: each node is the only sender its browsers hear.</summary>
public sealed class EveryNodeSends : IHubSendLease
{
    public bool Held => true;
    public long Term => 0;
}
