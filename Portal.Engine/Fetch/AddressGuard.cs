using System.Net;
using System.Net.Sockets;

namespace Portal.Engine.Fetch;

/// <summary>
/// The SSRF guard: addresses a fetch must never reach unless its host is explicitly allowed (loopback, private,
/// link-local, unique-local, CGNAT, unspecified, multicast, IPv4-mapped forms of those). It runs in the socket's
/// ConnectCallback, so every address of every redirect hop is checked, and the address checked is the one connected.
/// </summary>
public static class AddressGuard
{
    public static bool IsForbidden(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any) || ip.Equals(IPAddress.IPv6None)) return true;
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return b[0] == 10 || b[0] == 0 || b[0] == 127
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)               // link-local, cloud metadata
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // CGNAT
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)    // IETF protocol assignments
                || b[0] >= 224;                               // multicast, reserved, broadcast
        }
        if (ip.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = ip.GetAddressBytes();
            return ip.IsIPv6LinkLocal || ip.IsIPv6SiteLocal || ip.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC                      // fc00::/7 unique-local
                || (b[0] == 0x20 && b[1] == 0x02 && IsForbidden(new IPAddress(b[2..6]))) // 6to4 wrapping a private v4
                || (b.Take(12).All(x => x == 0) && !ip.Equals(IPAddress.IPv6Loopback) && IsForbidden(new IPAddress(b[12..]))); // v4-compatible
        }
        return true; // unknown families are not reached
    }

    /// <summary>A ConnectCallback that resolves the host, refuses if any address is forbidden (and the host not allowed), and connects to a checked address.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectCallback(FetchOptions options) => async (ctx, ct) =>
    {
        var host = ctx.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new FetchException($"host {host} has no address");
        if (!options.IsAllowed(host))
        {
            var bad = addresses.FirstOrDefault(IsForbidden);
            // Every address, not just the first: a name with one public and one private address is a rebinding trick.
            if (bad != null) throw new FetchException($"refusing {host}: it resolves to {bad}, a loopback/private/link-local address (if this is intended, allow the host: --allow-host {host} on the command line, Portal:Imports:AllowedHosts in the portal)");
        }
        Exception? last = null;
        foreach (var address in addresses)
        {
            // One socket per address family: no dual-mode socket, so the address connected is exactly the one checked.
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, ctx.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e) { socket.Dispose(); last = e; }
            catch { socket.Dispose(); throw; }
        }
        throw last!;
    };
}
