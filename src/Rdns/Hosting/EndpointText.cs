using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Rdns.Hosting;

/// <summary>Strict <c>IP:PORT</c> and <c>[IPv6]:PORT</c> parsing for listen addresses.</summary>
public static class EndpointText
{
    public static bool TryParse(string? text, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty address; expected IP:PORT";
            return false;
        }
        string host, port;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                error = "expected [IPv6]:PORT";
                return false;
            }
            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            int colon = text.LastIndexOf(':');
            if (colon < 0 || text.IndexOf(':') != colon)
            {
                error = "expected IP:PORT (write IPv6 as [addr]:PORT)";
                return false;
            }
            host = text[..colon];
            port = text[(colon + 1)..];
        }
        if (!IPAddress.TryParse(host, out var address) || host.Contains('%'))
        {
            error = $"'{host}' is not an IP address";
            return false;
        }
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > 65535)
        {
            error = $"'{port}' is not a port number 0-65535";
            return false;
        }
        endpoint = new IPEndPoint(address, p);
        error = null;
        return true;
    }

    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : $"{endpoint.Address}:{endpoint.Port}";
}
