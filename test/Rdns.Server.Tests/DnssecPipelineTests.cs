using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Rdns.Protocol.Dnssec;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;
using Rdns.Zones.Dnssec;
using Rdns.Zones.Tests;

namespace Rdns.Server.Tests;

/// <summary>
/// Online signing in the query pipeline: RRSIGs only when the query sets DO (RFC 3225), signatures
/// a validator accepts (checked here with the BCL's ECDSA against the DNSKEY, over the octets RFC
/// 4034 §3.1.8.1 names, built by hand), compact denial (RFC 9824) and its CO flag, the NXNAME
/// question refused, signatures cached within their refresh window and made anew after it, and a
/// warm signed answer that allocates nothing.
/// </summary>
public sealed class DnssecPipelineTests : IDisposable
{
    private static readonly DnsName Apex = DnsName.Parse("2.0.192.in-addr.arpa.");
    private static readonly RequestSource Udp = RequestSource.Udp(ClientAddress.None);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly EcdsaSigningKey _key = EcdsaSigningKey.Generate(DnsKey.KskFlags);
    private readonly SignatureCache _cache = new(1 << 20);
    private readonly DnsPipeline _pipeline;

    public DnssecPipelineTests()
    {
        var zone = ZoneBuilder.Standard(Apex.ToString()).Ptr("1", "One.Example.NET.").Add(Apex.ToString(), RecordType.DNSKEY, _key.DnsKeyRdata).Build();
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([zone]));
        var signer = new ZoneSigner(Apex, [_key], [_key], DenialMode.Compact, SignaturePolicy.Default, _cache, _time);
        zones.Update(set => set.WithSigner(Apex, signer));
        _pipeline = new DnsPipeline(zones, new ServerOptions());
    }

    public void Dispose() => _key.Dispose();

    private static byte[] Query(string name, RecordType type, bool dnssecOk, bool compactOk = false)
    {
        var wire = DnsMessage.Query(DnsName.Parse(name), type, edns: new EdnsOptions()).ToWire();
        // The OPT record ends the query: its TTL's flags are the 4th and 3rd octets from the end (RFC 6891 §6.1.4).
        wire[^4] |= (byte)((dnssecOk ? 0x80 : 0) | (compactOk ? 0x40 : 0));
        return wire;
    }

    private DnsMessage Ask(byte[] query)
    {
        var response = new byte[65535];
        int n = _pipeline.Answer(query, response, Udp);
        return DnsMessage.Parse(response.AsSpan(0, n));
    }

    /// <summary>RFC 4034 §3.1.8.1 for a one-record RRset, written out by hand: RRSIG RDATA without the signature, then the RR in canonical form.</summary>
    private bool Verifies(ResourceRecord record, ResourceRecord rrsig)
    {
        int header = Rrsig.HeaderLength(rrsig.Data);
        var owner = record.Owner.ToLowerWire();
        var rdata = record.Type == RecordType.PTR ? Rdata.ReadName(record.Data).ToLowerWire() : record.Data;
        var signedData = new List<byte>(rrsig.Data[..header]);
        signedData.AddRange(owner);
        var fixedFields = new byte[10];
        BinaryPrimitives.WriteUInt16BigEndian(fixedFields, (ushort)record.Type);
        BinaryPrimitives.WriteUInt16BigEndian(fixedFields.AsSpan(2), 1);
        BinaryPrimitives.WriteUInt32BigEndian(fixedFields.AsSpan(4), Rrsig.OriginalTtl(rrsig.Data));
        BinaryPrimitives.WriteUInt16BigEndian(fixedFields.AsSpan(8), (ushort)rdata.Length);
        signedData.AddRange(fixedFields);
        signedData.AddRange(rdata);
        var publicKey = DnsKey.PublicKey(_key.DnsKeyRdata);
        using var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = publicKey[..32].ToArray(), Y = publicKey[32..].ToArray() },
        });
        return ecdsa.VerifyData(signedData.ToArray(), rrsig.Data.AsSpan(header), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    [Fact]
    public void Without_do_an_answer_of_a_signed_zone_carries_no_signature()
    {
        var m = Ask(Query("1.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: false));
        Assert.Equal(RecordType.PTR, Assert.Single(m.Answers).Type);
        Assert.False(m.Edns!.DnssecOk);
    }

    [Fact]
    public void With_do_the_ptr_comes_with_an_rrsig_its_dnskey_verifies()
    {
        var m = Ask(Query("1.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: true));
        Assert.True(m.Edns!.DnssecOk);
        Assert.Equal(2, m.Answers.Count);
        var ptr = m.Answers.Single(r => r.Type == RecordType.PTR);
        var rrsig = m.Answers.Single(r => r.Type == RecordType.RRSIG);
        Assert.Equal(RecordType.PTR, Rrsig.TypeCovered(rrsig.Data));
        Assert.Equal(DnssecAlgorithm.EcdsaP256Sha256, Rrsig.Algorithm(rrsig.Data));
        Assert.Equal(6, Rrsig.Labels(rrsig.Data));
        Assert.Equal(_key.KeyTag, Rrsig.KeyTag(rrsig.Data));
        // Inception an hour back (clock skew), expiration 14 days on (RFC 4034 §3.1.5).
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        Assert.Equal((uint)(now - 3600), Rrsig.Inception(rrsig.Data));
        Assert.Equal((uint)(now + 14 * 86400), Rrsig.Expiration(rrsig.Data));
        Assert.True(Verifies(ptr, rrsig));
        // A flipped bit of the data and the signature no longer verifies: the check can fail.
        var forged = ptr with { Data = Rdata.FromName(DnsName.Parse("two.example.net.")) };
        Assert.False(Verifies(forged, rrsig));
    }

    [Fact]
    public void The_dnskey_rrset_is_signed_by_the_key_itself()
    {
        var m = Ask(Query(Apex.ToString(), RecordType.DNSKEY, dnssecOk: true));
        var dnskey = m.Answers.Single(r => r.Type == RecordType.DNSKEY);
        Assert.True(Verifies(dnskey, m.Answers.Single(r => r.Type == RecordType.RRSIG)));
    }

    [Fact]
    public void A_missing_name_is_denied_compactly_noerror_with_nxname_and_nxdomain_when_co_is_set()
    {
        var m = Ask(Query("9.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: true));
        Assert.Equal((int)Rcode.NoError, m.Rcode);
        Assert.Empty(m.Answers);
        var nsec = m.Authority.Single(r => r.Type == RecordType.NSEC);
        Assert.Equal(DnsName.Parse("9.2.0.192.in-addr.arpa."), nsec.Owner);
        var successor = DnsName.Parse("\\000.9.2.0.192.in-addr.arpa.").Wire.ToArray();
        Assert.Equal(successor, nsec.Data[..successor.Length]);
        Assert.True(Nsec.HasType(nsec.Data, RecordType.NXNAME));
        Assert.True(Nsec.HasType(nsec.Data, RecordType.NSEC));
        Assert.False(Nsec.HasType(nsec.Data, RecordType.PTR));
        Assert.True(Verifies(nsec, m.Authority.Single(r => r.Type == RecordType.RRSIG && Rrsig.TypeCovered(r.Data) == RecordType.NSEC)));
        Assert.Contains(m.Authority, r => r.Type == RecordType.RRSIG && Rrsig.TypeCovered(r.Data) == RecordType.SOA);

        // RFC 9824 §4: a client that sets CO gets the NXDOMAIN back, and CO in the reply.
        var co = Ask(Query("9.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: true, compactOk: true));
        Assert.Equal((int)Rcode.NXDomain, co.Rcode);
        Assert.True(Nsec.HasType(co.Authority.Single(r => r.Type == RecordType.NSEC).Data, RecordType.NXNAME));

        // Without DO the answer is the plain NXDOMAIN of RFC 1035.
        var plain = Ask(Query("9.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: false));
        Assert.Equal((int)Rcode.NXDomain, plain.Rcode);
        Assert.DoesNotContain(plain.Authority, r => r.Type is RecordType.NSEC or RecordType.RRSIG);
    }

    [Fact]
    public void Nodata_lists_the_types_that_exist_at_the_name()
    {
        var m = Ask(Query("1.2.0.192.in-addr.arpa.", RecordType.TXT, dnssecOk: true));
        Assert.Equal((int)Rcode.NoError, m.Rcode);
        var nsec = m.Authority.Single(r => r.Type == RecordType.NSEC);
        Assert.True(Nsec.HasType(nsec.Data, RecordType.PTR));
        Assert.False(Nsec.HasType(nsec.Data, RecordType.TXT));
        Assert.False(Nsec.HasType(nsec.Data, RecordType.NXNAME));
    }

    [Fact]
    public void A_signed_answer_that_does_not_fit_udp_is_truncated_and_whole_over_tcp()
    {
        var builder = ZoneBuilder.Standard(Apex.ToString());
        for (int i = 0; i < 12; i++)
            builder.Txt("7", $"a text of some length so that twelve of them with a signature exceed the buffer, number {i}");
        var zones = new ServedZones();
        zones.Replace(ZoneSet.From([builder.Build()]));
        zones.Update(set => set.WithSigner(Apex, new ZoneSigner(Apex, [_key], [_key], DenialMode.Compact, SignaturePolicy.Default, _cache, _time)));
        var pipeline = new DnsPipeline(zones, new ServerOptions());
        var wire = DnsMessage.Query(DnsName.Parse("7.2.0.192.in-addr.arpa."), RecordType.TXT, edns: new EdnsOptions(PayloadSize: 1232, DnssecOk: true)).ToWire();
        var response = new byte[65535];
        var udp = DnsMessage.Parse(response.AsSpan(0, pipeline.Answer(wire, response, Udp)));
        Assert.True(udp.Has(HeaderFlags.TC));
        Assert.DoesNotContain(udp.Answers, r => r.Type == RecordType.RRSIG);
        var tcp = DnsMessage.Parse(response.AsSpan(0, pipeline.Answer(wire, response, RequestSource.Tcp(ClientAddress.None))));
        Assert.False(tcp.Has(HeaderFlags.TC));
        Assert.Equal(12, tcp.Answers.Count(r => r.Type == RecordType.TXT));
        Assert.Single(tcp.Answers, r => r.Type == RecordType.RRSIG);
    }

    [Fact]
    public void Nxname_is_never_a_question()
    {
        var m = Ask(Query("1.2.0.192.in-addr.arpa.", RecordType.NXNAME, dnssecOk: true));
        Assert.Equal((int)Rcode.FormErr, m.Rcode);
    }

    [Fact]
    public void Signatures_are_cached_until_their_refresh_time_then_made_anew()
    {
        var query = Query("1.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: true);
        var first = Ask(query).Answers.Single(r => r.Type == RecordType.RRSIG);
        long made = _cache.Signatures;
        _time.Advance(TimeSpan.FromDays(6));
        var cached = Ask(query).Answers.Single(r => r.Type == RecordType.RRSIG);
        Assert.Equal(first.Data, cached.Data);
        Assert.Equal(made, _cache.Signatures);
        // Past the refresh window (7 days before expiration), a new signature with new times.
        _time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        var fresh = Ask(query).Answers.Single(r => r.Type == RecordType.RRSIG);
        Assert.Equal(made + 1, _cache.Signatures);
        Assert.True(Rrsig.Expiration(fresh.Data) > Rrsig.Expiration(first.Data));
    }

    [Fact]
    public void Warm_signed_answers_and_denials_allocate_nothing()
    {
        var hit = Query("1.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: true);
        var miss = Query("9.2.0.192.in-addr.arpa.", RecordType.PTR, dnssecOk: true);
        var nodata = Query("1.2.0.192.in-addr.arpa.", RecordType.TXT, dnssecOk: true);
        var response = new byte[65535];
        _pipeline.Answer(hit, response, Udp);
        _pipeline.Answer(miss, response, Udp);
        _pipeline.Answer(nodata, response, Udp);
        SteadyState.AssertAllocatesNothing(() =>
        {
            _pipeline.Answer(hit, response, Udp);
            _pipeline.Answer(miss, response, Udp);
            _pipeline.Answer(nodata, response, Udp);
        });
    }
}
