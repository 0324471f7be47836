using System.Net;
using System.Net.Sockets;

namespace Portal.Tests.Support;

/// <summary>A loopback TCP port free at the moment of asking (for a child process that must listen on a known port).</summary>
public static class FreePort
{
    public static int Next()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
