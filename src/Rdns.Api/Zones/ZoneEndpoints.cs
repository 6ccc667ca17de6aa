using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rdns.Addressing;
using Rdns.Api.Auth;
using Rdns.Control.Views;
using Rdns.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using Rdns.Zones;

using Rdns.Zones.Writes;

namespace Rdns.Api.Zones;

public sealed record CreateZoneRequest(string? Name, string? Prefix, List<string>? NameServers, string? View);

/// <param name="Warnings">On creation only: what about the new zone will not work as it stands (an NS that is not a fully qualified name).</param>
public sealed record ZoneView(string Name, uint Serial, int Records, bool Reverse, string? Prefix, string View, IReadOnlyList<string>? Warnings = null);

public sealed record ZoneList(List<ZoneView> Items, string? Next);

public sealed record RRsetView(string Name, string Type, uint Ttl, List<string> Data);

public sealed record ZoneDetail(string Name, uint Serial, bool Reverse, string? Prefix, List<RRsetView> Rrsets);

public sealed record RRsetInput(string? Name, string? Type, uint? Ttl, List<string>? Data, bool? Delete);

public sealed record RRsetPatch(List<RRsetInput>? Rrsets);

public sealed record ChangeResult(string Zone, uint Serial, int Changed);

/// <summary>Operator endpoints for zones: create, list, read, delete, RRset changes, import and export.</summary>
public static class ZoneEndpoints
{
    /// <summary>Largest page a listing returns; 100 by default.</summary>
    public const int MaxPage = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var zones = app.MapGroup("/v1/zones").WithTags("Zones").RequireAuthorization(ApiPolicies.Operator);
        zones.MapPost("", CreateAsync).WithName("CreateZone").WithSummary("Create a zone by name or by prefix")
            .JsonBody<CreateZoneRequest>()
            .Problems(StatusCodes.Status409Conflict, "zone_exists")
            .Problems(StatusCodes.Status422UnprocessableEntity, "prefix_needs_several_zones");
        zones.MapGet("", ListAsync).WithName("ListZones").WithSummary("List hosted zones in DNS name order");
        zones.MapGet("/{name}", Get).WithName("GetZone").WithSummary("A zone with its RRsets")
            .Problems(StatusCodes.Status404NotFound, "zone_not_found");
        zones.MapDelete("/{name}", DeleteAsync).WithName("DeleteZone").WithSummary("Delete a zone")
            .Problems(StatusCodes.Status404NotFound, "zone_not_found");
        zones.MapPatch("/{name}/rrsets", PatchAsync).WithName("ChangeRRsets").WithSummary("Replace or delete RRsets atomically")
            .JsonBody<RRsetPatch>()
            .Problems(StatusCodes.Status404NotFound, "zone_not_found")
            .Problems(StatusCodes.Status409Conflict, "conflict")
            .Problems(StatusCodes.Status422UnprocessableEntity, "invalid_zone_data");
        zones.MapGet("/{name}/export", Export).WithName("ExportZone").WithSummary("The zone as an RFC 1035 zone file")
            .Produces<string>(StatusCodes.Status200OK, "text/dns")
            .Problems(StatusCodes.Status404NotFound, "zone_not_found");
        zones.MapPost("/{name}/import", ImportAsync).WithName("ImportZone").WithSummary("Replace the zone's records with a zone file (creates the zone when absent)")
            .TextBody("text/dns")
            .Problems(StatusCodes.Status413PayloadTooLarge, "too_many_records", "body_too_large")
            .Problems(StatusCodes.Status422UnprocessableEntity, "zone_file_error", "invalid_zone_data");
    }

    private static async Task<Created<ZoneView>> CreateAsync(HttpContext context, ViewRegistry views, string? view, ZoneDefaults defaults, TimeProvider time)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var request = await ApiJson.ReadAsync<CreateZoneRequest>(context).ConfigureAwait(false);
        if (request.View is not null)
        {
            if (view is not null && view != request.View)
                throw ApiException.Invalid("view", "the body and the query name different views");
            scope = ApiViews.Resolve(views, request.View);
            service = scope.Service;
        }
        DnsName name;
        if (request.Name is not null && request.Prefix is not null)
            throw ApiException.Invalid("name", "give either name or prefix, not both");
        if (request.Prefix is not null)
        {
            if (!IpPrefix.TryParse(request.Prefix, out var prefix, out var error))
                throw ApiException.Invalid("prefix", error!);
            var plan = ReverseZonePlan.For(prefix);
            if (plan.Count != 1)
            {
                throw ApiException.Unprocessable("prefix_needs_several_zones", "The prefix maps to several zones",
                    $"{request.Prefix} is covered by {plan.Count} reverse zones; create each of them", "prefix",
                    new Dictionary<string, object?> { ["plan"] = plan.Select(p => p.Name).ToList() });
            }
            name = DnsName.Parse(plan[0].Name);
        }
        else if (request.Name is not null)
        {
            name = ParseZoneName(request.Name, "name");
        }
        else
        {
            throw ApiException.Invalid("name", "a zone name or a prefix is required");
        }

        var nameServers = new List<DnsName>();
        foreach (var (ns, i) in (request.NameServers ?? []).Select((n, i) => (n, i)))
        {
            if (!PtrTarget.TryNormalize(ns, out var normalized, out var reason))
                throw ApiException.Invalid($"nameServers[{i}]", reason!);
            nameServers.Add(DnsName.Parse(normalized));
        }
        if (service.Served.Current.Get(name) is not null)
            throw ApiException.Conflict("zone_exists", $"zone {name} already exists");
        var records = defaults.Skeleton(name, nameServers, time.GetUtcNow());
        try
        {
            var zone = await service.CreateAsync(name, records, replace: false, context.Audit("zone.create", ApiViews.Target(scope, name.ToString())), context.RequestAborted).ConfigureAwait(false);
            var unqualified = records.Where(r => r.Type == RecordType.NS).Select(r => DnsName.FromWire(r.Data)).Where(n => n.LabelCount < 2).ToList();
            var warnings = unqualified.Count == 0 ? null
                : new List<string> { $"NS {string.Join(", ", unqualified)} is not a fully qualified name; no parent can delegate to it. Give nameServers, or set the server's Zones:NameServers (--ns)" };
            return TypedResults.Created($"/v1/zones/{name}{(scope.IsPublic ? "" : "?view=" + scope.Name)}", View(zone, scope.Name) with { Warnings = warnings });
        }
        catch (Storage.StoreConflictException)
        {
            throw ApiException.Conflict("zone_exists", $"zone {name} already exists");
        }
    }

    private static Ok<ZoneList> ListAsync(ViewRegistry views, string? view, int? limit, string? after)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        int size = Endpoints.Paging.Limit(limit);
        DnsName? from = after is null ? null : ParseZoneName(after, "after");
        // By name first, so a zone kept as a row is made into a snapshot only when it is on the page.
        var current = service.Served.Current;
        var page = current.Origins
            .Where(o => from is null || o.CompareTo(from) > 0)
            .Order()
            .Take(size + 1)
            .Select(o => current.Get(o)!)
            .ToList();
        string? next = page.Count > size ? page[size - 1].Origin.ToString() : null;
        return TypedResults.Ok(new ZoneList(page.Take(size).Select(z => View(z, scope.Name)).ToList(), next));
    }

    private static Ok<ZoneDetail> Get(ViewRegistry views, string? view, string name)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var zone = Find(service, name);
        var rrsets = zone.Records()
            .GroupBy(r => (r.Owner.ToString(), r.Type))
            .Select(g => new RRsetView(g.Key.Item1, RecordTypeText.ToText(g.Key.Type), g.First().Ttl, g.Select(r => Rdata.ToText(r.Type, r.Data)).ToList()))
            .ToList();
        var v = View(zone, scope.Name);
        return TypedResults.Ok(new ZoneDetail(v.Name, v.Serial, v.Reverse, v.Prefix, rrsets));
    }

    private static async Task<NoContent> DeleteAsync(HttpContext context, ViewRegistry views, string? view, string name)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var zoneName = ParseZoneName(name, "name");
        bool deleted = await service.DeleteAsync(zoneName, context.Audit("zone.delete", ApiViews.Target(scope, zoneName.ToString())), context.RequestAborted).ConfigureAwait(false);
        return deleted ? TypedResults.NoContent() : throw ApiException.NotFound("zone_not_found", $"zone {zoneName} is not hosted here");
    }

    private static async Task<Ok<ChangeResult>> PatchAsync(HttpContext context, ViewRegistry views, string? view, string name)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var zone = Find(service, name);
        var patch = await ApiJson.ReadAsync<RRsetPatch>(context).ConfigureAwait(false);
        if (patch.Rrsets is null || patch.Rrsets.Count == 0)
            throw ApiException.Invalid("rrsets", "at least one RRset change is required");
        var changes = new List<RRsetChange>();
        for (int i = 0; i < patch.Rrsets.Count; i++)
            changes.Add(ParseChange(patch.Rrsets[i], zone.Origin, $"rrsets[{i}]"));
        var result = await service.ChangeAsync([new ZoneEdit(zone.Origin, changes)], context.Audit("zone.change", ApiViews.Target(scope, zone.Origin.ToString()), $"{changes.Count} rrsets"), context.RequestAborted).ConfigureAwait(false);
        uint serial = result.Count > 0 ? result[0].Serial : zone.Serial;
        return TypedResults.Ok(new ChangeResult(zone.Origin.ToString(), serial, result.Count > 0 ? changes.Count : 0));
    }

    private static ContentHttpResult Export(ViewRegistry views, string? view, string name)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var zone = Find(service, name);
        var text = ZoneFileWriter.ToText(zone.Origin, zone.Records());
        return TypedResults.Text(text, "text/dns; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<Ok<ZoneView>> ImportAsync(HttpContext context, ViewRegistry views, string? view, ZoneImportOptions limits, string name)
    {
        var scope = ApiViews.Resolve(views, view);
        var service = scope.Service;
        var zoneName = ParseZoneName(name, "name");
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        List<ResourceRecord> records;
        try
        {
            records = ZoneFileReader.ReadText(text, new ZoneFileOptions { Origin = zoneName, CheckZone = true, MaxRecords = limits.MaxRecords }, "body");
        }
        catch (ZoneFileException e) when (e.TooManyRecords)
        {
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, "too_many_records", "The zone file makes too many records",
                $"{e.Message}; an import may make at most {limits.MaxRecords} records (setting Import:ApiRecords)", "body",
                new Dictionary<string, object?> { ["line"] = e.Line, ["limit"] = limits.MaxRecords });
        }
        catch (ZoneFileException e)
        {
            throw ApiException.Unprocessable("zone_file_error", "The zone file has an error", e.Message, "body",
                new Dictionary<string, object?> { ["line"] = e.Line });
        }
        var imported = await service.ImportAsync(zoneName, records, context.Audit("zone.import", ApiViews.Target(scope, zoneName.ToString()), $"{records.Count} records"), context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Ok(View(imported, scope.Name));
    }

    internal static RRsetChange ParseChange(RRsetInput input, DnsName origin, string field)
    {
        if (string.IsNullOrWhiteSpace(input.Name))
            throw ApiException.Invalid($"{field}.name", "required");
        if (!DnsName.TryParse(input.Name, origin, out var owner, out var nameError))
            throw ApiException.Invalid($"{field}.name", nameError);
        if (string.IsNullOrWhiteSpace(input.Type) || !RecordTypeText.TryParse(input.Type, out var type))
            throw ApiException.Invalid($"{field}.type", "a record type such as PTR, CNAME, NS, TXT is required");
        if (!RdataParser.IsDataType(type))
            throw ApiException.Invalid($"{field}.type", $"{input.Type} is a query or meta type, not zone data");
        uint ttl = input.Ttl ?? 3600;
        if (ttl > int.MaxValue)
            throw ApiException.Invalid($"{field}.ttl", "must be at most 2147483647 (RFC 2181 §8)");
        if (input.Delete == true)
        {
            if (input.Data is { Count: > 0 })
                throw ApiException.Invalid($"{field}.data", "must be absent when delete is true");
            return new RRsetChange(owner, type, ttl, []);
        }
        if (input.Data is null || input.Data.Count == 0)
            throw ApiException.Invalid($"{field}.data", "at least one record is required (or set delete: true)");
        var data = new List<byte[]>();
        for (int i = 0; i < input.Data.Count; i++)
        {
            if (!RdataParser.TryParse(type, input.Data[i], origin, out var rdata, out var error))
                throw ApiException.Invalid($"{field}.data[{i}]", error);
            data.Add(rdata);
        }
        return new RRsetChange(owner, type, ttl, data);
    }

    internal static DnsName ParseZoneName(string text, string field)
    {
        var absolute = text.EndsWith('.') ? text : text + ".";
        if (!DnsName.TryParse(absolute, null, out var name, out var error))
            throw ApiException.Invalid(field, error);
        if (name.IsRoot)
            throw ApiException.Invalid(field, "the root zone cannot be hosted here");
        return name.ToLower();
    }

    internal static ZoneSnapshot Find(ZoneService service, string name)
    {
        var zoneName = ParseZoneName(name, "name");
        return service.Served.Current.Get(zoneName) ?? throw new ZoneNotFoundException(zoneName);
    }

    internal static ZoneView View(ZoneSnapshot zone, string view)
    {
        string? prefix = ReverseName.TryParseZone(zone.Origin.ToString(), out var p, out _) ? p.ToString() : null;
        return new ZoneView(zone.Origin.ToString(), zone.Serial, zone.RecordCount, ZoneContentPolicy.IsReverse(zone.Origin), prefix, view);
    }
}
