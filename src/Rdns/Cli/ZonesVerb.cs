using System.CommandLine;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns zones PREFIX</c>: the reverse zones that hold a prefix's names, one per line:
/// zone name, then tab-separated the prefix it covers, its kind, and for an RFC 2317 child
/// the parent zone that must delegate it.
/// </summary>
internal static class ZonesVerb
{
    public static Command Create()
    {
        var prefix = new Argument<string>("prefix") { Description = "A prefix such as 10.0.0.0/20 or 2001:db8::/48; a bare address is a /32 or /128." };
        var style = ClasslessStyleOption.Create();
        var command = new Command("zones", "List the reverse zones that cover a prefix.") { prefix, style };
        command.SetAction(parseResult =>
        {
            string text = parseResult.GetValue(prefix) ?? "";
            if (!IpPrefix.TryParse(text, out var parsed, out var error))
                return Usage.Fail(parseResult, text, error);
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var zone in ReverseZonePlan.For(parsed, ClasslessStyleOption.Read(parseResult, style)))
            {
                string kind = zone.Kind.ToString().ToLowerInvariant();
                output.WriteLine(zone.ParentZone is null
                    ? $"{zone.Name}\t{zone.Prefix}\t{kind}"
                    : $"{zone.Name}\t{zone.Prefix}\t{kind}\t{zone.ParentZone}");
            }
            return 0;
        });
        return command;
    }
}
