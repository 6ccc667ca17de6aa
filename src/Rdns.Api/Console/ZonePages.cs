using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Rdns.Api.Auth;
using Rdns.Api.Zones;
using Rdns.Control.Secondary;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Text;
using Rdns.Protocol.Wire;
using Rdns.Zones;
using Rdns.Zones.Writes;

namespace Rdns.Api.Console;

/// <summary>
/// The operator's zone pages: search, one zone's records with an RRset editor (the API's RRset
/// change), import from a zone file and export, its serial and its secondaries as the server knows them.
/// </summary>
public static class ZonePages
{
    /// <summary>Records shown on one zone page; a larger zone is read whole through export.</summary>
    public const int MaxShown = 2000;

    public static void Map(RouteGroupBuilder operators)
    {
        operators.MapGet("/zones", Zones);
        operators.MapGet("/zones/{name}", Zone);
        operators.MapPost("/zones/{name}/rrset", ChangeAsync);
        operators.MapGet("/zones/{name}/export", Export);
        operators.MapPost("/zones/{name}/import", ImportAsync);
    }

    private static string Who(HttpContext context) => $"operator {ConsoleAuth.Caller(context).KeyId}";

    private static IResult Zones(HttpContext context, ZoneService zones, string? q)
    {
        var list = zones.Served.Current.Zones
            .Where(z => string.IsNullOrWhiteSpace(q) || z.Origin.ToString().Contains(q.Trim(), StringComparison.OrdinalIgnoreCase))
            .OrderBy(z => z.Origin)
            .Take(500)
            .Select(z => ZoneEndpoints.View(z, Addressing.ViewName.Public))
            .ToList();
        return new RazorComponentResult<ZonesPage>(new Dictionary<string, object?> { ["Who"] = Who(context), ["Query"] = q, ["Zones"] = list });
    }

    private static IResult Render(HttpContext context, ZoneService zones, string name, FormOutcome outcome, RRsetInput? form = null)
    {
        var zone = zones.Served.Current.Get(ZoneEndpoints.ParseZoneName(name, "name"));
        if (zone is null)
        {
            return new RazorComponentResult<ZonePage>(new Dictionary<string, object?> { ["Who"] = Who(context), ["Name"] = name, ["Error"] = $"zone {name} is not hosted here" })
            { StatusCode = StatusCodes.Status404NotFound };
        }
        var rrsets = zone.Records().Take(MaxShown)
            .GroupBy(r => (r.Owner.ToString(), r.Type))
            .Select(g => new RRsetView(g.Key.Item1, RecordTypeText.ToText(g.Key.Type), g.First().Ttl, g.Select(r => Rdata.ToText(r.Type, r.Data)).ToList()))
            .ToList();
        var secondaries = context.RequestServices.GetService<INotifiedSecondaries>()?.For(zone.Origin) ?? [];
        var followed = context.RequestServices.GetService<SecondaryFollower>()?.Status().FirstOrDefault(s => s.Zone.Equals(zone.Origin));
        return new RazorComponentResult<ZonePage>(new Dictionary<string, object?>
        {
            ["Who"] = Who(context),
            ["Name"] = zone.Origin.ToString(),
            ["Serial"] = zone.Serial,
            ["Count"] = zone.RecordCount,
            ["Truncated"] = zone.RecordCount > MaxShown,
            ["Rrsets"] = rrsets,
            ["Secondaries"] = secondaries,
            ["Followed"] = followed is null ? null
                : $"followed from {followed.Origin}: serial {followed.Serial?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none yet"}, last refresh {followed.LastRefresh?.ToString("u") ?? "never"}, {followed.Failures} failures{(followed.LastError is null ? "" : " (" + followed.LastError + ")")}{(followed.Expired ? ", EXPIRED" : "")}",
            ["Form"] = form,
            ["Error"] = outcome.Error,
            ["Done"] = outcome.Done,
        })
        { StatusCode = outcome.Status };
    }

    private static IResult Zone(HttpContext context, ZoneService zones, string name) => Render(context, zones, name, FormOutcome.None);

    /// <summary>One RRset replaced or deleted, through the parsing and the change the API's <c>PATCH …/rrsets</c> uses.</summary>
    private static async Task<IResult> ChangeAsync(HttpContext context, ZoneService zones, string name,
        [FromForm] string? owner, [FromForm] string? type, [FromForm] string? ttl, [FromForm] string? data, [FromForm] string? delete)
    {
        var lines = (data ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        uint? ttlValue = null;
        var input = new RRsetInput(owner, type, null, lines, delete == "on" ? true : null);
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            if (!string.IsNullOrWhiteSpace(ttl))
                ttlValue = uint.TryParse(ttl.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t) ? t
                    : throw ApiException.Invalid("ttl", "a whole number of seconds");
            var zone = ZoneEndpoints.Find(zones, name);
            var change = ZoneEndpoints.ParseChange(input with { Ttl = ttlValue, Data = input.Delete == true ? null : lines }, zone.Origin, "rrset");
            var result = await zones.ChangeAsync([new ZoneEdit(zone.Origin, [change])],
                context.Audit("zone.change", zone.Origin.ToString(), "1 rrsets"), context.RequestAborted).ConfigureAwait(false);
            var what = $"{change.Owner} {RecordTypeText.ToText(change.Type)}";
            return result.Count == 0 ? $"{what}: nothing to change." : $"{what} {(change.IsDelete ? "deleted" : "replaced")}; serial {result[0].Serial}.";
        }).ConfigureAwait(false);
        return Render(context, zones, name, outcome, outcome.Error is null ? null : input);
    }

    private static IResult Export(ZoneService zones, string name)
    {
        var zone = ZoneEndpoints.Find(zones, name);
        var text = ZoneFileWriter.ToText(zone.Origin, zone.Records());
        var file = zone.Origin.ToString().TrimEnd('.') + ".zone";
        return TypedResults.File(Encoding.UTF8.GetBytes(text), "text/dns; charset=utf-8", file);
    }

    /// <summary>A zone file uploaded and imported as <c>POST /v1/zones/{name}/import</c> does: the zone's records replaced in one change.</summary>
    private static async Task<IResult> ImportAsync(HttpContext context, ZoneService zones, ZoneImportOptions limits, string name, IFormFile? file)
    {
        var outcome = await FormOutcome.RunAsync(async () =>
        {
            var zoneName = ZoneEndpoints.ParseZoneName(name, "name");
            if (file is null || file.Length == 0)
                throw ApiException.Invalid("file", "choose a zone file to upload");
            string text;
            using (var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8))
                text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            List<ResourceRecord> records;
            try
            {
                records = ZoneFileReader.ReadText(text, new ZoneFileOptions { Origin = zoneName, CheckZone = true, MaxRecords = limits.MaxRecords }, file.FileName);
            }
            catch (ZoneFileException e)
            {
                throw ApiException.Unprocessable("zone_file_error", "The zone file has an error", e.Message, "file");
            }
            var imported = await zones.ImportAsync(zoneName, records, context.Audit("zone.import", zoneName.ToString(), $"{records.Count} records"), context.RequestAborted).ConfigureAwait(false);
            return $"{records.Count} records imported from {file.FileName}; serial {imported.Serial}.";
        }).ConfigureAwait(false);
        return Render(context, zones, name, outcome);
    }
}
