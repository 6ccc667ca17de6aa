using Microsoft.AspNetCore.Http;
using Rdns.Addressing;
using Rdns.Api;
using Rdns.Api.Auth;
using Rdns.Api.Ptr;
using Rdns.Api.Tenants;
using Rdns.Api.Zones;
using Rdns.Protocol.Names;
using Rdns.Zones.Synthesis;

namespace Rdns.Fuzz;

/// <summary>
/// The API's request bodies. The first octet picks the request type; the rest is the body, read
/// exactly as the endpoints read it (<see cref="ApiJson.ReadAsync{T}"/> on an HTTP request), then
/// validated by the endpoints' own parsing where that needs no store. The only exception allowed
/// is <see cref="ApiException"/>, which the API turns into a 400 Problem Details answer.
/// </summary>
internal sealed class JsonTarget : IFuzzTarget
{
    private static readonly DnsName Origin = DnsName.Parse("2.0.192.in-addr.arpa.");

    private static readonly Action<HttpContext>[] Bodies =
    [
        c => Ptr(Read<PtrRequest>(c)),
        c => Bulk(Read<BulkPtrRequest>(c)),
        c => CreateZone(Read<CreateZoneRequest>(c)),
        c => Patch(Read<RRsetPatch>(c)),
        c => CreatePool(Read<CreatePoolRequest>(c)),
        c => HostName(Read<CreateTenantRequest>(c).Name),
        c => HostName(Read<CreateKeyRequest>(c).Label),
        c => Allocation(Read<CreateAllocationRequest>(c)),
        c => HostName(Read<ReverseRequest>(c).Name),
        c => HostName(Read<DomainRequest>(c).Name),
    ];

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
            return;
        var context = new DefaultHttpContext();
        var body = input[1..].ToArray();
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Request.ContentLength = body.Length;
        context.Request.ContentType = "application/json";
        try
        {
            Bodies[input[0] % Bodies.Length](context);
        }
        catch (ApiException)
        {
            // A 400 with Problem Details: the documented answer to a bad body.
        }
    }

    private static T Read<T>(HttpContext context) where T : class =>
        ApiJson.ReadAsync<T>(context).GetAwaiter().GetResult();

    private static void Ptr(PtrRequest request)
    {
        PtrEndpoints.ParseTarget(request.Ptrdname, "ptrdname");
        PtrEndpoints.Ttl(request.Ttl, "ttl");
    }

    private static void Bulk(BulkPtrRequest request)
    {
        foreach (var (item, i) in (request.Items ?? []).Select((item, i) => (item, i)))
        {
            if (item.Ip is not null)
                ApiInput.ParseIp(item.Ip, $"items[{i}].ip");
            if (item.Ptrdname is not null)
            {
                PtrEndpoints.ParseTarget(item.Ptrdname, $"items[{i}].ptrdname");
                PtrEndpoints.Ttl(item.Ttl, $"items[{i}].ttl");
            }
        }
    }

    /// <summary>What <c>POST /v1/zones</c> checks before it asks the store.</summary>
    private static void CreateZone(CreateZoneRequest request)
    {
        if (request.Prefix is not null && IpPrefix.TryParse(request.Prefix, out var prefix, out _))
        {
            var plan = ReverseZonePlan.For(prefix);
            if (plan.Count == 1)
                DnsName.Parse(plan[0].Name);
        }
        if (request.Name is not null)
            ZoneEndpoints.ParseZoneName(request.Name, "name");
        foreach (var ns in request.NameServers ?? [])
        {
            if (PtrTarget.TryNormalize(ns, out var normalized, out _))
                DnsName.Parse(normalized);
        }
    }

    private static void Patch(RRsetPatch patch)
    {
        for (int i = 0; i < (patch.Rrsets?.Count ?? 0); i++)
            ZoneEndpoints.ParseChange(patch.Rrsets![i], Origin, $"rrsets[{i}]");
    }

    /// <summary>What the pool service checks before it asks the store (its errors are 400s too).</summary>
    private static void CreatePool(CreatePoolRequest request)
    {
        if (request.Prefix is null || !IpPrefix.TryParse(request.Prefix, out var prefix, out _) || string.IsNullOrWhiteSpace(request.DefaultPtr))
            return;
        if (!DefaultNamePool.TryCreate(prefix, request.DefaultPtr, request.Ttl ?? 3600, out var pool, out _))
            return;
        foreach (var planned in ReverseZonePlan.For(prefix))
            DnsName.Parse(planned.Name);
        pool.ForwardZone.Prepend("x");
    }

    private static void Allocation(CreateAllocationRequest request)
    {
        if (request.Prefix is not null)
            IpPrefix.TryParse(request.Prefix, out _, out _);
    }

    /// <summary>Reverse names and domains go through the PTR target rules.</summary>
    private static void HostName(string? name)
    {
        if (PtrTarget.TryNormalize(name, out var normalized, out _))
            DnsName.Parse(normalized);
    }
}
