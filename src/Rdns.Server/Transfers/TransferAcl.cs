using System.Net;

namespace Rdns.Server.Transfers;

/// <summary>
/// A secondary: where NOTIFY goes, and who may transfer (its address, and the TSIG key it must
/// sign with when one is named). Written <c>IP:PORT[@KEYNAME]</c>.
/// </summary>
public sealed record SecondaryPeer(IPEndPoint Endpoint, string? KeyName)
{
    public static bool TryParse(string text, out SecondaryPeer? peer, out string? error)
    {
        peer = null;
        var at = text.IndexOf('@');
        var address = at < 0 ? text : text[..at];
        var key = at < 0 ? null : text[(at + 1)..];
        if (key is { Length: 0 })
        {
            error = "empty key name after '@'";
            return false;
        }
        if (!TryParseEndpoint(address, out var endpoint, out error))
            return false;
        peer = new SecondaryPeer(endpoint!, key is null ? null : key.TrimEnd('.').ToLowerInvariant() + ".");
        return true;
    }

    private static bool TryParseEndpoint(string text, out IPEndPoint? endpoint, out string? error)
    {
        endpoint = null;
        if (!IPEndPoint.TryParse(text, out var ep) || !text.Contains(':') || (text.Count(c => c == ':') > 1 && !text.StartsWith('[')))
        {
            error = $"'{text}' is not IP:PORT (IPv6 as [addr]:PORT)";
            return false;
        }
        if (ep.Port == 0)
        {
            error = $"'{text}': the port must not be 0";
            return false;
        }
        endpoint = ep;
        error = null;
        return true;
    }
}

/// <summary>Who may transfer zones: only listed secondaries, each by address and, when named, key.</summary>
public sealed class TransferAcl(IReadOnlyList<SecondaryPeer> peers)
{
    private volatile IReadOnlyList<SecondaryPeer> _peers = peers;

    public IReadOnlyList<SecondaryPeer> Peers => _peers;

    /// <summary>The secondaries allowed from now on (a settings reload).</summary>
    public void Replace(IReadOnlyList<SecondaryPeer> peers) => _peers = peers;

    /// <summary>
    /// Allowed when a listed peer has this source address and either names no key or names the
    /// key that signed the request (<paramref name="keyName"/>, lowercase with trailing dot).
    /// </summary>
    public bool Allows(IPAddress source, string? keyName)
    {
        if (source.IsIPv4MappedToIPv6)
            source = source.MapToIPv4();
        foreach (var peer in Peers)
        {
            if (!peer.Endpoint.Address.Equals(source))
                continue;
            if (peer.KeyName is null || string.Equals(peer.KeyName, keyName, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
