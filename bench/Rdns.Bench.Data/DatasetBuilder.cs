using System.Globalization;
using System.Text;
using Rdns.Addressing;

namespace Rdns.Bench.Data;

/// <summary>
/// Generates a dataset of one <see cref="ShapeKind"/>. The operator and tenant shapes: IPv4 /24
/// zones, fully or mostly populated, some delegating an RFC 2317 block (NS + one CNAME per address
/// in the parent, the PTRs in the child), and IPv6 /48 nibble zones with sparse PTRs taking the rest
/// of the requested record count. The others: IPv6 /48s only, one /8, or many tiny /24s. Every zone
/// has SOA and two NS. The same shape, seed and size give the same bytes.
/// </summary>
public sealed class DatasetBuilder
{
    private const string Soa = "ns1.dns.example.net. hostmaster.dns.example.net. 2026010101 7200 3600 1209600 3600";
    private static readonly string[] NameServers = ["ns1.dns.example.net.", "ns2.dns.example.net."];

    // Public unicast first octets only: never 0, 10, 100.64/10's 100, 127, 169.254's 169, 172, 192, 198, or 224+.
    private static readonly int[] FirstOctets = [.. Enumerable.Range(1, 222).Where(o => o is not (10 or 100 or 127 or 169 or 172 or 192 or 198))];
    private static readonly int[] RunSizes = [1, 1, 1, 2, 2, 4, 8, 16];
    private static readonly int[] ChildLengths = [25, 26, 26, 26, 27, 27, 28];

    private readonly DatasetShape _shape;
    private readonly ulong _seed;
    private readonly string _zonesFolder;
    private readonly HashSet<string> _customerNames = [];
    private readonly TenantNaming _tenants;

    public DatasetBuilder(DatasetShape shape, ulong seed, string zonesFolder)
    {
        _shape = shape;
        _seed = seed;
        _zonesFolder = zonesFolder;
        _tenants = new TenantNaming(SplitMix64.For(seed, "tenant-names"));
    }

    /// <summary>Every PTR's address, IPv4 parents and children together, in generation order.</summary>
    public List<uint> Ipv4Ptrs { get; } = [];

    public List<UInt128> Ipv6Ptrs { get; } = [];

    /// <summary>Delegated blocks by their /24's network.</summary>
    public Dictionary<uint, IpPrefix> Delegations { get; } = [];

    /// <summary>IPv4 addresses in hosted zones with no PTR (candidates for NXDOMAIN queries).</summary>
    public List<uint> Ipv4Holes { get; } = [];

    /// <summary>Each IPv6 zone's prefix and the /64 subnets it uses.</summary>
    public List<(UInt128 Prefix, ushort[] Subnets)> Ipv6Networks { get; } = [];

    public List<string> ZoneNames { get; } = [];

    /// <summary>One PTR per zone, in <see cref="ZoneNames"/> order: (owner, target), for probes.</summary>
    public List<Probe> FirstPtrs { get; } = [];

    public long CnameRecords { get; private set; }

    public void Build()
    {
        switch (_shape.Kind)
        {
            case ShapeKind.Sparse6:
                WriteIpv6Zones(_shape.Records);
                return;
            case ShapeKind.Huge:
                WriteHugeZone();
                return;
            case ShapeKind.Tiny:
                WriteTinyZones();
                return;
        }
        var networks = AllocateIpv4();
        var delegated = ChooseDelegations(networks.Count);
        for (int i = 0; i < networks.Count; i++)
            WriteIpv4Zone(i, networks[i].Network, networks[i].Owner, delegated.Contains(i));
        long remaining = _shape.Records - Ipv4Ptrs.Count;
        if (remaining < _shape.Ipv6Zones)
            throw new InvalidOperationException($"{_shape.Records} records leave {remaining} for {_shape.Ipv6Zones} IPv6 zones");
        WriteIpv6Zones(remaining);
    }

    /// <summary>/24s in runs of 1–16 per customer, aligned, at random places in public unicast space.</summary>
    private List<(uint Network, Customer Owner)> AllocateIpv4()
    {
        var rng = SplitMix64.For(_seed, "ipv4-allocation");
        var used = new HashSet<uint>();
        var result = new List<(uint, Customer)>(_shape.Ipv4Zones);
        while (result.Count < _shape.Ipv4Zones)
        {
            int size = Math.Min(rng.Pick(RunSizes), _shape.Ipv4Zones - result.Count);
            uint first = (uint)rng.Pick(FirstOctets) << 24 | (uint)rng.Below(256) << 16 | (uint)(rng.Below(256) / size * size) << 8;
            bool free = true;
            for (int k = 0; k < size && free; k++)
                free = !used.Contains(first + ((uint)k << 8));
            if (!free)
                continue;
            var customer = Customer.Create(rng, _customerNames);
            for (int k = 0; k < size; k++)
            {
                uint network = first + ((uint)k << 8);
                used.Add(network);
                result.Add((network, customer));
            }
        }
        return result;
    }

    private HashSet<int> ChooseDelegations(int count)
    {
        var order = Enumerable.Range(0, count).ToList();
        SplitMix64.For(_seed, "delegations").Shuffle(order);
        return [.. order.Take(_shape.ChildZones)];
    }

    private void WriteIpv4Zone(int index, uint network, Customer owner, bool delegates)
    {
        var rng = SplitMix64.For(_seed, "ipv4-zone", index);
        string zone = ZoneName24(network);
        IpPrefix? block = null;
        if (delegates)
        {
            int length = rng.Pick(ChildLengths);
            int size = 1 << (32 - length);
            uint start = (uint)(rng.Below(256 / size) * size);
            block = new IpPrefix(IpAddress.FromV4(network | start), length);
            Delegations.Add(network, block.Value);
        }

        // Which of .1–.254 outside the delegated block hold a PTR.
        var present = new bool[256];
        bool full = rng.Chance(DatasetShape.FullZoneShare);
        int wanted = full ? 254 : 180 + rng.Below(74);
        var candidates = Enumerable.Range(1, 254).ToList();
        if (!full)
            rng.Shuffle(candidates);
        foreach (int octet in candidates.Take(wanted))
            present[octet] = true;

        using var file = Open(zone);
        WriteApex(file, zone, NameServers);
        if (block is { } b)
        {
            var delegation = ClasslessDelegation.For(b, [$"ns1.{owner.Suffix}", $"ns2.{owner.Suffix}"]);
            foreach (var record in delegation.ParentRecords)
                file.Write(record.ToLine(zone)).Write('\n');
            CnameRecords += delegation.ParentRecords.Count(r => r.Type == "CNAME");
        }
        Probe? first = null;
        for (int octet = 0; octet < 256; octet++)
        {
            if (block is { } d && d.Contains(IpAddress.FromV4(network | (uint)octet)))
                continue;
            if (!present[octet])
            {
                if (octet is > 0 and < 255)
                    Ipv4Holes.Add(network | (uint)octet);
                continue;
            }
            var address = IpAddress.FromV4(network | (uint)octet);
            string target = TargetFor(owner, address, rng);
            string label = octet.ToString(CultureInfo.InvariantCulture);
            file.Write(label).Write("\tPTR\t").Write(target).Write('\n');
            Ipv4Ptrs.Add(network | (uint)octet);
            first ??= new Probe($"{label}.{zone}", target);
        }
        ZoneNames.Add(zone);
        FirstPtrs.Add(first ?? new Probe(zone, ""));

        if (block is { } c)
            WriteChildZone(c, rng);
    }

    /// <summary>The child of an RFC 2317 delegation: another customer's zone holding every address of its block.</summary>
    private void WriteChildZone(IpPrefix block, SplitMix64 rng)
    {
        var holder = Customer.Create(rng, _customerNames);
        string zone = ReverseName.ClasslessZoneName(block);
        using var file = Open(zone);
        WriteApex(file, zone, [$"ns1.{holder.Suffix}", $"ns2.{holder.Suffix}"]);
        Probe? first = null;
        for (UInt128 v = block.First.Value; v <= block.Last.Value; v++)
        {
            var address = IpAddress.FromV4((uint)v);
            string target = TargetFor(holder, address, rng);
            string label = ((uint)v & 0xff).ToString(CultureInfo.InvariantCulture);
            file.Write(label).Write("\tPTR\t").Write(target).Write('\n');
            Ipv4Ptrs.Add((uint)v);
            first ??= new Probe($"{label}.{zone}", target);
        }
        ZoneNames.Add(zone);
        FirstPtrs.Add(first!);
    }

    private void WriteIpv6Zones(long total)
    {
        var rng = SplitMix64.For(_seed, "ipv6-allocation");
        var prefixes = new HashSet<UInt128>();
        var weights = new double[_shape.Ipv6Zones];
        for (int i = 0; i < weights.Length; i++)
            weights[i] = 0.5 + rng.Below(1001) / 1000.0;
        double sum = weights.Sum();
        long assigned = 0;
        for (int i = 0; i < _shape.Ipv6Zones; i++)
        {
            UInt128 prefix;
            do
            {
                // /48s under 2001:db8::/32 (RFC 3849), the documentation prefix.
                prefix = (UInt128)0x20010db8 << 96 | (UInt128)(uint)rng.Below(65536) << 80;
            }
            while (!prefixes.Add(prefix));
            long count = i == _shape.Ipv6Zones - 1 ? total - assigned : Math.Max(1, (long)(total * weights[i] / sum));
            assigned += count;
            WriteIpv6Zone(i, prefix, count);
        }
    }

    /// <summary>A /48 with <paramref name="count"/> PTRs spread over a few /64s, interface IDs as hosts get them.</summary>
    private void WriteIpv6Zone(int index, UInt128 prefix, long count)
    {
        var rng = SplitMix64.For(_seed, "ipv6-zone", index);
        var owner = Customer.Create(rng, _customerNames);
        var subnets = new HashSet<ushort>();
        var addresses = new HashSet<UInt128>();
        if (_shape.TenantNames)
        {
            // Random 80-bit host parts over the whole /48 (privacy addresses, RFC 8981, in many subnets).
            while (addresses.Count < count)
                addresses.Add(prefix | Random80(rng));
        }
        else
        {
            int wantedSubnets = (int)Math.Clamp(count / 50, 1, 4096);
            while (subnets.Count < wantedSubnets)
                subnets.Add((ushort)rng.Below(65536));
        }
        var subnetList = subnets.Order().ToArray();
        while (addresses.Count < count)
        {
            UInt128 subnet = prefix | (UInt128)rng.Pick(subnetList) << 64;
            addresses.Add(subnet | InterfaceId(rng));
        }
        Ipv6Networks.Add((prefix, subnetList));

        string zone = ZoneName48(prefix);
        using var file = Open(zone);
        WriteApex(file, zone, NameServers);
        Probe? first = null;
        var label = new StringBuilder(40);
        foreach (var value in addresses.Order())
        {
            string target = TargetFor(owner, IpAddress.FromV6(value), rng);
            label.Clear();
            for (int nibble = 0; nibble < 20; nibble++)
            {
                if (nibble > 0)
                    label.Append('.');
                label.Append("0123456789abcdef"[(int)(value >> (4 * nibble)) & 0xf]);
            }
            file.Write(label).Write("\tPTR\t").Write(target).Write('\n');
            Ipv6Ptrs.Add(value);
            first ??= new Probe($"{label}.{zone}", target);
        }
        ZoneNames.Add(zone);
        FirstPtrs.Add(first!);
    }

    /// <summary>The 80 bits below a /48, at random.</summary>
    public static UInt128 Random80(SplitMix64 rng) => (UInt128)(rng.Next() & 0xffff) << 64 | rng.Next();

    private string TargetFor(Customer owner, IpAddress address, SplitMix64 rng) =>
        _shape.TenantNames ? _tenants.Target() : owner.Target(address, rng);

    /// <summary>One /8 (45.0.0.0/8) holding every PTR at addresses chosen at random (.1–.254 of each /24).</summary>
    private void WriteHugeZone()
    {
        var rng = SplitMix64.For(_seed, "huge-zone");
        const uint network = 45u << 24;
        const string zone = "45.in-addr.arpa.";
        long candidates = 256 * 256 * 254, needed = _shape.Records;
        using var file = Open(zone);
        WriteApex(file, zone, NameServers);
        Probe? first = null;
        for (uint high = 0; high < 256 * 256; high++)
        {
            for (uint octet = 1; octet < 255; octet++, candidates--)
            {
                uint address = network | high << 8 | octet;
                // Selection sampling (Knuth's algorithm S): exactly the requested number, uniformly.
                if (rng.Below(candidates) >= needed)
                {
                    if ((address & 0x3f) == 0 && Ipv4Holes.Count < 100_000)
                        Ipv4Holes.Add(address);
                    continue;
                }
                needed--;
                string target = _tenants.Target();
                string label = string.Create(CultureInfo.InvariantCulture, $"{octet}.{high & 0xff}.{high >> 8}");
                file.Write(label).Write("\tPTR\t").Write(target).Write('\n');
                Ipv4Ptrs.Add(address);
                first ??= new Probe($"{label}.{zone}", target);
            }
        }
        ZoneNames.Add(zone);
        FirstPtrs.Add(first!);
    }

    /// <summary>
    /// Many /24s with 1–19 PTRs each (10 on average), as small customers hold them: half the zones
    /// name their hosts in the holder's own domain, the other half point each address elsewhere.
    /// </summary>
    private void WriteTinyZones()
    {
        var rng = SplitMix64.For(_seed, "tiny-zones");
        int zones = _shape.Ipv4Zones;
        var counts = new int[zones];
        long sum = 0;
        for (int i = 0; i < zones; i++)
            sum += counts[i] = 1 + rng.Below(19);
        while (sum != _shape.Records)
        {
            int i = rng.Below(zones);
            if (sum < _shape.Records && counts[i] < 254)
            {
                counts[i]++;
                sum++;
            }
            else if (sum > _shape.Records && counts[i] > 1)
            {
                counts[i]--;
                sum--;
            }
        }
        var used = new HashSet<uint>();
        var octets = Enumerable.Range(1, 254).ToArray();
        for (int z = 0; z < zones; z++)
        {
            uint network;
            do
                network = (uint)rng.Pick(FirstOctets) << 24 | (uint)rng.Below(65536) << 8;
            while (!used.Add(network));
            string zone = ZoneName24(network);
            string? domain = rng.Chance(0.5) ? _tenants.Domain() : null;
            // A random subset of .1–.254, in order (a partial Fisher–Yates shuffle).
            for (int k = 0; k < counts[z]; k++)
            {
                int j = k + rng.Below(254 - k);
                (octets[k], octets[j]) = (octets[j], octets[k]);
            }
            var chosen = octets.AsSpan(0, counts[z]).ToArray();
            Array.Sort(chosen);
            using var file = Open(zone);
            WriteApex(file, zone, NameServers);
            Probe? first = null;
            foreach (int octet in chosen)
            {
                string target = domain is null ? _tenants.Target() : _tenants.Host(domain);
                string label = octet.ToString(CultureInfo.InvariantCulture);
                file.Write(label).Write("\tPTR\t").Write(target).Write('\n');
                Ipv4Ptrs.Add(network | (uint)octet);
                first ??= new Probe($"{label}.{zone}", target);
            }
            if (Ipv4Holes.Count < 100_000)
                Ipv4Holes.Add(network | (uint)octets[counts[z]]);
            ZoneNames.Add(zone);
            FirstPtrs.Add(first!);
        }
    }

    /// <summary>Interface IDs: low numbers assigned by hand or DHCPv6, EUI-64 from a MAC, or random (RFC 8981).</summary>
    public static UInt128 InterfaceId(SplitMix64 rng)
    {
        int kind = rng.Below(10);
        if (kind < 4)
            return (UInt128)(1 + rng.Below(0x3ff));
        if (kind < 7)
        {
            ulong mac = rng.Next() & 0xffffffffffffUL;
            ulong high = (mac >> 24) ^ 0x020000UL;
            return (UInt128)(high << 40 | 0xfffeUL << 24 | (mac & 0xffffff));
        }
        return rng.Next();
    }

    public static string ZoneName24(uint network) => string.Create(CultureInfo.InvariantCulture,
        $"{(network >> 8) & 0xff}.{(network >> 16) & 0xff}.{network >> 24}.in-addr.arpa.");

    public static string ZoneName48(UInt128 prefix)
    {
        var sb = new StringBuilder(40);
        for (int nibble = 20; nibble < 32; nibble++)
            sb.Append("0123456789abcdef"[(int)(prefix >> (4 * nibble)) & 0xf]).Append('.');
        return sb.Append("ip6.arpa.").ToString();
    }

    /// <summary>The full reverse name of an IPv6 address (32 nibble labels).</summary>
    public static string Ipv6Name(UInt128 value)
    {
        var sb = new StringBuilder(73);
        for (int nibble = 0; nibble < 32; nibble++)
            sb.Append("0123456789abcdef"[(int)(value >> (4 * nibble)) & 0xf]).Append('.');
        return sb.Append("ip6.arpa.").ToString();
    }

    private ZoneText Open(string zone) =>
        new(Path.Combine(_zonesFolder, DatasetManifest.ZoneFileName(zone)));

    private static void WriteApex(ZoneText file, string zone, IReadOnlyList<string> nameServers)
    {
        file.Write("$ORIGIN ").Write(zone).Write('\n');
        file.Write("$TTL 3600\n");
        file.Write("@\tSOA\t").Write(Soa).Write('\n');
        foreach (string ns in nameServers)
            file.Write("@\tNS\t").Write(ns).Write('\n');
    }
}

/// <summary>A zone file being written: RFC 1035 §5 text, UTF-8 without BOM, LF line ends.</summary>
internal sealed class ZoneText(string path) : IDisposable
{
    private readonly StreamWriter _writer = new(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };

    public ZoneText Write(string text)
    {
        _writer.Write(text);
        return this;
    }

    public ZoneText Write(StringBuilder text)
    {
        _writer.Write(text);
        return this;
    }

    public ZoneText Write(char c)
    {
        _writer.Write(c);
        return this;
    }

    public void Dispose() => _writer.Dispose();
}
