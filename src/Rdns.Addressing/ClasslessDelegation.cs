using System.Globalization;
using System.Text;

namespace Rdns.Addressing;

/// <summary>
/// Both sides of an RFC 2317 classless delegation of an IPv4 /25 … /32.
/// <para>The parent (/24) zone gets NS records for the child label and one CNAME per address of
/// the block, pointing into the child, as in RFC 2317 §4. Every address of the block gets its
/// CNAME, the network and broadcast addresses included: the block may be part of a larger
/// routed network or a /31 or /32 point-to-point link (RFC 3021) where those are hosts, and
/// whether an address has a PTR is the child's decision, not the parent's.</para>
/// <para>The child zone gets a skeleton: SOA and NS records; its owner adds the PTR records at
/// the names <see cref="ChildNameOf"/> gives.</para>
/// </summary>
public sealed class ClasslessDelegation
{
    private ClasslessDelegation(
        IpPrefix prefix, ClasslessStyle style, string parentZone, string childZone,
        IReadOnlyList<DelegationRecord> parentRecords, IReadOnlyList<DelegationRecord> childRecords)
    {
        Prefix = prefix;
        Style = style;
        ParentZone = parentZone;
        ChildZone = childZone;
        ParentRecords = parentRecords;
        ChildRecords = childRecords;
    }

    public IpPrefix Prefix { get; }

    public ClasslessStyle Style { get; }

    /// <summary>The /24 zone that delegates, e.g. <c>2.0.192.in-addr.arpa.</c>.</summary>
    public string ParentZone { get; }

    /// <summary>The delegated child zone, e.g. <c>128-26.2.0.192.in-addr.arpa.</c>.</summary>
    public string ChildZone { get; }

    /// <summary>NS records at the child label, then one CNAME per address in address order.</summary>
    public IReadOnlyList<DelegationRecord> ParentRecords { get; }

    /// <summary>The child's SOA, then its NS records.</summary>
    public IReadOnlyList<DelegationRecord> ChildRecords { get; }

    /// <summary>Where the PTR of <paramref name="address"/> lives in the child zone.</summary>
    public string ChildNameOf(IpAddress address) => ReverseName.ToClasslessName(address, Prefix, Style);

    /// <exception cref="ArgumentException">The prefix is not an IPv4 /25 … /32, or a name server or option is invalid.</exception>
    public static ClasslessDelegation For(
        IpPrefix prefix, IReadOnlyList<string> nameServers,
        ClasslessStyle style = ClasslessStyle.Dash, DelegationOptions? options = null)
        => TryCreate(prefix, nameServers, style, options, out var delegation, out var error)
            ? delegation
            : throw new ArgumentException(error);

    public static bool TryCreate(
        IpPrefix prefix, IReadOnlyList<string> nameServers, ClasslessStyle style, DelegationOptions? options,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ClasslessDelegation? delegation, out string? error)
    {
        delegation = null;
        options ??= DelegationOptions.Default;
        if (prefix.Family == IpFamily.V6)
            return Fail($"{prefix}: IPv6 needs no classless delegation; delegate its nibble zones with plain NS records (RFC 3596 §2.5)", out error);
        if (prefix.Length < 25)
            return Fail($"{prefix}: RFC 2317 delegates blocks smaller than a /24 (/25 to /32); "
                + "shorter prefixes are delegated as whole octet zones with plain NS records", out error);
        if (!TryCheckOptions(options, out error))
            return false;
        if (nameServers.Count == 0)
            return Fail("at least one name server is needed", out error);

        var servers = new List<string>(nameServers.Count);
        foreach (string server in nameServers)
        {
            if (!PtrTarget.TryNormalize(server, out string normalized, out string? reason))
                return Fail($"name server {Excerpt.Of(server ?? "")}: {reason}", out error);
            if (servers.Contains(normalized))
                return Fail($"name server {normalized} is listed twice", out error);
            servers.Add(normalized);
        }
        if (!TryContact(options.Contact, servers[0], out string contact, out error))
            return false;

        string childZone = ReverseName.ClasslessZoneName(prefix, style);
        string parentZone = ReverseName.ZoneName(IpPrefix.Containing(prefix.Network, 24));
        int ttl = options.Ttl;

        // RFC 2317 §4: NS records delegate the child; CNAMEs lead each address's name into it.
        var parent = new List<DelegationRecord>(servers.Count + (1 << prefix.HostBits));
        foreach (string server in servers)
            parent.Add(new DelegationRecord(childZone, ttl, "NS", server));
        for (UInt128 v = prefix.First.Value; v <= prefix.Last.Value; v++)
        {
            var address = new IpAddress(IpFamily.V4, v);
            parent.Add(new DelegationRecord(ReverseName.ToName(address), ttl, "CNAME",
                ReverseName.ToClasslessName(address, prefix, style)));
        }

        // RFC 1035 §3.3.13: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM.
        var child = new List<DelegationRecord>(servers.Count + 1)
        {
            new(childZone, ttl, "SOA", string.Create(CultureInfo.InvariantCulture,
                $"{servers[0]} {contact} {options.Serial} {options.Refresh} {options.Retry} {options.Expire} {options.NegativeTtl}")),
        };
        foreach (string server in servers)
            child.Add(new DelegationRecord(childZone, ttl, "NS", server));

        delegation = new ClasslessDelegation(prefix, style, parentZone, childZone, parent, child);
        error = null;
        return true;
    }

    /// <summary>The parent-side records as master-file text, under <c>$ORIGIN</c> of the parent zone.</summary>
    public string ParentZoneText() => Section(
        $"; Add to the parent zone {ParentZone}: delegation of {Prefix} (RFC 2317)", ParentZone, ParentRecords);

    /// <summary>The child zone's skeleton as master-file text, under <c>$ORIGIN</c> of the child zone.</summary>
    public string ChildZoneText() => Section(
        $"; Child zone {ChildZone}: add PTR records at <last octet>.{ChildZone}", ChildZone, ChildRecords);

    /// <summary>Both sides, parent first, separated by an empty line.</summary>
    public string ToZoneText() => ParentZoneText() + "\n" + ChildZoneText();

    private static string Section(string comment, string origin, IReadOnlyList<DelegationRecord> records)
    {
        var sb = new StringBuilder();
        sb.Append(comment).Append('\n');
        sb.Append("$ORIGIN ").Append(origin).Append('\n');
        foreach (var record in records)
            sb.Append(record.ToLine(origin)).Append('\n');
        return sb.ToString();
    }

    private static bool TryCheckOptions(DelegationOptions options, out string? error)
    {
        // RFC 2181 §8: TTLs and SOA timers are unsigned 32-bit values with the top bit clear.
        (string Name, int Value)[] values =
        [
            ("TTL", options.Ttl), ("refresh", options.Refresh), ("retry", options.Retry),
            ("expire", options.Expire), ("negative TTL", options.NegativeTtl),
        ];
        foreach (var (name, value) in values)
        {
            if (value < 0)
                return Fail($"{name} {value} is out of range 0-2147483647 (RFC 2181 §8)", out error);
        }
        error = null;
        return true;
    }

    // RFC 1034 §3.3: a mailbox local@domain is the domain name local.domain, as in an SOA RNAME.
    private static bool TryContact(string? contact, string firstServer, out string rname, out string? error)
    {
        rname = "";
        if (contact is null)
        {
            int dot = firstServer.IndexOf('.');
            string domain = firstServer.Count(c => c == '.') > 2 ? firstServer[(dot + 1)..] : firstServer;
            rname = "hostmaster." + domain;
            error = null;
            return true;
        }
        string domainForm = contact;
        int at = contact.IndexOf('@');
        if (at >= 0)
        {
            var local = contact.AsSpan(0, at);
            // A dot in the local part would need escaping (RFC 1035 §5.1); an LDH local part is the rule here.
            if (local.IsEmpty || local.Contains('.') || !PtrTarget.TryNormalize(local.ToString() + ".invalid", out _, out _))
                return Fail($"contact {Excerpt.Of(contact)}: the part before '@' must be letters, digits and hyphens (a dot would need escaping)", out error);
            domainForm = contact[..at] + "." + contact[(at + 1)..];
        }
        if (!PtrTarget.TryNormalize(domainForm, out rname, out string? reason))
            return Fail($"contact {Excerpt.Of(contact)}: {reason}", out error);
        error = null;
        return true;
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
