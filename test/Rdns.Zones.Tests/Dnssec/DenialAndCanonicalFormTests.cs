using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Zones.Dnssec;

namespace Rdns.Zones.Tests.Dnssec;

/// <summary>
/// The pieces an online signer builds NSEC and RRSIG from: names next to a name in canonical
/// order (RFC 4034 §6.1, RFC 4471), the canonical RRset (RFC 4034 §6.2, §6.3), the NSEC bitmap
/// (§4.1.2), and a signature cache that stays within its budget.
/// </summary>
public sealed class DenialAndCanonicalFormTests
{
    private static DnsName Made(Func<ReadOnlySpan<byte>, Span<byte>, int> make, string name)
    {
        var buffer = new byte[DnsName.MaxLength];
        int length = make(DnsName.Parse(name).Wire, buffer);
        return DnsName.FromWire(buffer.AsSpan(0, length));
    }

    [Theory]
    [InlineData("9.2.0.192.in-addr.arpa.", "9a.2.0.192.in-addr.arpa.")]
    [InlineData("Host.Example.", "a.host.example.")]
    [InlineData("*.example.", "a.example.")]
    public void The_successor_comes_right_after_the_name_and_before_anything_else(string name, string later)
    {
        var n = DnsName.Parse(name);
        var successor = Made(DenialNames.Successor, name);
        Assert.Equal(DnsName.Parse("\\000." + name.ToLowerInvariant()), successor);
        Assert.True(n.CompareTo(successor) < 0);
        Assert.True(successor.CompareTo(DnsName.Parse(later)) < 0);
    }

    [Theory]
    [InlineData("b.example.", "a.example.", "a.b.example.", "b0.example.")]
    [InlineData("10.2.0.192.in-addr.arpa.", "1.2.0.192.in-addr.arpa.", "9.10.2.0.192.in-addr.arpa.", "100.2.0.192.in-addr.arpa.")]
    public void Predecessor_and_after_subtree_span_just_the_name_and_its_subtree(string name, string before, string below, string after)
    {
        var n = DnsName.Parse(name);
        var predecessor = Made(DenialNames.Predecessor, name);
        var next = Made(DenialNames.AfterSubtree, name);
        // Nothing that exists around the name falls inside (predecessor, next) but the name and its subtree.
        Assert.True(DnsName.Parse(before).CompareTo(predecessor) < 0, $"{before} < {predecessor}");
        Assert.True(predecessor.CompareTo(n) < 0);
        Assert.True(n.CompareTo(DnsName.Parse(below)) < 0 && DnsName.Parse(below).CompareTo(next) < 0);
        Assert.True(next.CompareTo(DnsName.Parse(after)) <= 0, $"{next} <= {after}");
    }

    [Fact]
    public void The_canonical_rrset_lowercases_names_in_rdata_sorts_and_drops_duplicates()
    {
        var owner = DnsName.Parse("1.2.0.192.IN-ADDR.ARPA.").Wire.ToArray();
        byte[][] data = [Rdata.FromName(DnsName.Parse("B.example.")), Rdata.FromName(DnsName.Parse("a.Example.")), Rdata.FromName(DnsName.Parse("b.EXAMPLE."))];
        var destination = new byte[CanonicalForm.MaxSize(owner.Length, new RdataList(data))];
        var scratch = new byte[100];
        int length = CanonicalForm.WriteRRset(owner, RecordType.PTR, 300, new RdataList(data), destination, scratch);
        var lowerOwner = DnsName.Parse("1.2.0.192.in-addr.arpa.").Wire.ToArray();
        byte[] Rr(string target)
        {
            var rdata = DnsName.Parse(target).Wire.ToArray();
            return [.. lowerOwner, 0, 12, 0, 1, 0, 0, 1, 44, 0, (byte)rdata.Length, .. rdata];
        }
        Assert.Equal([.. Rr("a.example."), .. Rr("b.example.")], destination[..length]);
    }

    [Fact]
    public void The_nsec_bitmap_has_one_window_per_256_types_and_no_trailing_zeros()
    {
        ushort[] types = [(ushort)RecordType.NXNAME, (ushort)RecordType.PTR, (ushort)RecordType.NSEC, (ushort)RecordType.RRSIG, (ushort)RecordType.CAA];
        var rdata = new byte[1 + Nsec.MaxBitmapSize(types.Length)];
        int length = Nsec.Write([0], types, rdata);
        // Window 0: up to type 128 (octet 16); window 1: CAA (257) in its first octet.
        Assert.Equal([0, 17], rdata[1..3]);
        Assert.Equal([1, 1, 0x40], rdata[(3 + 17)..length]);
        foreach (var type in new[] { RecordType.PTR, RecordType.NSEC, RecordType.RRSIG, RecordType.NXNAME, RecordType.CAA })
            Assert.True(Nsec.HasType(rdata.AsSpan(0, length), type), type.ToString());
        Assert.False(Nsec.HasType(rdata.AsSpan(0, length), RecordType.A));
    }

    [Fact]
    public void The_signature_cache_never_holds_more_than_its_budget()
    {
        var cache = new SignatureCache(64 * 1024);
        using var key = EcdsaSigningKey.Generate(DnsKey.KskFlags);
        var signer = new ZoneSigner(DnsName.Parse("2.0.192.in-addr.arpa."), [key], [key], DenialMode.Compact, SignaturePolicy.Default, cache, TimeProvider.System);
        var into = new List<byte[]>();
        for (int i = 0; i < 2000; i++)
        {
            var owner = DnsName.Parse($"{i}.2.0.192.in-addr.arpa.").Wire.ToArray();
            signer.Sign(owner, RecordType.PTR, 300, new RdataList([Rdata.FromName(DnsName.Parse($"host{i}.example."))]), into);
            Assert.True(cache.Bytes <= cache.MaxBytes, $"{cache.Bytes} > {cache.MaxBytes} after {i + 1}");
        }
        Assert.Equal(2000, cache.Signatures);
        Assert.True(cache.Entries < 2000);
    }
}
