using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rdns.Resolver;

/// <summary>
/// Reads <c>resolv.conf(5)</c> the way the GNU C library does, keeping what a stub resolver for
/// absolute names needs: <c>nameserver</c> and <c>options timeout:N attempts:N</c>. <c>domain</c>,
/// <c>search</c> and <c>sortlist</c> do not apply to absolute names and are passed over quietly.
/// </summary>
internal static class ResolvConf
{
    /// <summary>MAXNS: the C library uses the first three resolvers; following it keeps this process in step with every other program on the host.</summary>
    public const int MaxServers = 3;

    public const int Port = 53;

    public static ResolverOptions Parse(string text)
    {
        var servers = new List<IPEndPoint>();
        var notes = new List<string>();
        TimeSpan timeout = ResolverOptions.DefaultTimeout;
        int attempts = ResolverOptions.DefaultAttempts;

        int lineNumber = 0;
        foreach (string line in text.Split('\n'))
        {
            lineNumber++;
            string where = $"line {lineNumber.ToString(CultureInfo.InvariantCulture)}";
            // The C library only recognises a keyword in the first column, followed by a blank;
            // comments start with '#' or ';' in the first column.
            if (line.Length == 0 || line[0] is '#' or ';')
                continue;
            if (Keyword(line, "nameserver") is { } address)
                AddServer(address, where, servers, notes);
            else if (Keyword(line, "options") is { } options)
                ReadOptions(options, where, ref timeout, ref attempts, notes);
        }

        if (servers.Count == 0)
        {
            // res_init: with no usable nameserver line, the resolver on this host is asked.
            servers.Add(new IPEndPoint(IPAddress.Loopback, Port));
            notes.Add("no usable nameserver line; using the resolver on this host (127.0.0.1:53), as the C library does");
        }
        return new ResolverOptions { Servers = servers, Timeout = timeout, Attempts = attempts, Notes = notes };
    }

    private static string? Keyword(string line, string keyword) =>
        line.Length > keyword.Length && line.StartsWith(keyword, StringComparison.Ordinal) && line[keyword.Length] is ' ' or '\t'
            ? line[(keyword.Length + 1)..]
            : null;

    private static void AddServer(string rest, string where, List<IPEndPoint> servers, List<string> notes)
    {
        // As in res_init: the address runs to the first blank, '#' or ';'.
        string token = rest.TrimStart(' ', '\t');
        int end = token.AsSpan().IndexOfAny(" \t\r;#");
        if (end >= 0)
            token = token[..end];
        if (token.Length == 0)
        {
            notes.Add($"{where}: nameserver without an address; ignored");
            return;
        }
        if (token.Contains('%', StringComparison.Ordinal))
        {
            // A zone index names an interface of this host only; such link-local resolvers are
            // rare on servers and their replies cannot be told apart by address alone, so they
            // are left out rather than asked on the wrong link.
            notes.Add($"{where}: nameserver {token} has a zone index (scoped link-local address); ignored, use a routable address");
            return;
        }
        if (!TryParseAddress(token, out var address))
        {
            notes.Add($"{where}: nameserver '{token}' is not an IPv4 or IPv6 address; ignored");
            return;
        }
        if (servers.Count == MaxServers)
        {
            notes.Add($"{where}: nameserver {token} is beyond the first {MaxServers}; ignored, as by the C library");
            return;
        }
        servers.Add(new IPEndPoint(address, Port));
    }

    // IPv4 only as four decimal octets: IPAddress.TryParse also takes "127.1" and hex forms,
    // which a configuration file should not rely on.
    private static bool TryParseAddress(string token, out IPAddress address)
    {
        address = IPAddress.None;
        if (token.Contains(':', StringComparison.Ordinal))
            return IPAddress.TryParse(token, out address!) && address.AddressFamily == AddressFamily.InterNetworkV6;
        var parts = token.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || int.Parse(part, CultureInfo.InvariantCulture) > 255)
                return false;
        }
        return IPAddress.TryParse(token, out address!);
    }

    private static void ReadOptions(string rest, string where, ref TimeSpan timeout, ref int attempts, List<string> notes)
    {
        foreach (string option in rest.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (option.StartsWith("timeout:", StringComparison.Ordinal))
            {
                if (Number(option, "timeout:", where, notes) is int seconds)
                    timeout = TimeSpan.FromSeconds(Clamp(seconds, 1, (int)ResolverOptions.MaxTimeout.TotalSeconds, option, where, notes));
            }
            else if (option.StartsWith("attempts:", StringComparison.Ordinal))
            {
                if (Number(option, "attempts:", where, notes) is int n)
                    attempts = Clamp(n, 1, ResolverOptions.MaxAttempts, option, where, notes);
            }
            else
            {
                notes.Add($"{where}: option {option} does not apply to this resolver; ignored");
            }
        }
    }

    private static int? Number(string option, string prefix, string where, List<string> notes)
    {
        if (int.TryParse(option.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            return n;
        notes.Add($"{where}: option {option} needs a whole number; ignored");
        return null;
    }

    private static int Clamp(int value, int min, int max, string option, string where, List<string> notes)
    {
        int clamped = Math.Clamp(value, min, max);
        if (clamped != value)
            notes.Add($"{where}: option {option} is outside {min}-{max}; using {clamped}");
        return clamped;
    }
}
