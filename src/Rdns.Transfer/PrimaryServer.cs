using System.Diagnostics.CodeAnalysis;
using System.Net;
using Rdns.Protocol.Tsig;

namespace Rdns.Transfer;

/// <summary>
/// A server zones are transferred from: its address and, when the primary wants it, the TSIG key
/// every request is signed with and every answer must be signed with (RFC 8945).
/// </summary>
public sealed record PrimaryServer(IPEndPoint Endpoint, TsigKey? Key = null)
{
    public override string ToString() => Key is null ? Endpoint.ToString() : $"{Endpoint}@{Key.Name}";

    /// <summary>
    /// Reads <c>IP:PORT[@KEYNAME]</c> (IPv6 as <c>[addr]:PORT</c>); the key name is returned for the
    /// caller to find in its key ring. The port is required: a primary on an unexpected port is
    /// common in tests and migrations, and 53 written out is clearer than a silent default.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IPEndPoint? endpoint, out string? keyName, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        keyName = null;
        var at = text.IndexOf('@');
        var address = at < 0 ? text : text[..at];
        if (at >= 0)
        {
            keyName = text[(at + 1)..];
            if (keyName.Length == 0)
            {
                error = "empty key name after '@'";
                return false;
            }
            keyName = keyName.TrimEnd('.').ToLowerInvariant() + ".";
        }
        if (!IPEndPoint.TryParse(address, out var ep) || !address.Contains(':') || (address.Count(c => c == ':') > 1 && !address.StartsWith('[')))
        {
            error = $"'{address}' is not IP:PORT (IPv6 as [addr]:PORT)";
            return false;
        }
        if (ep.Port == 0)
        {
            error = $"'{address}': the port must not be 0";
            return false;
        }
        endpoint = ep;
        error = null;
        return true;
    }
}
