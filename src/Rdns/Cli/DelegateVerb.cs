using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns delegate PREFIX --ns HOST ...</c>: the RFC 1035 text of an RFC 2317 delegation, the
/// parent zone's NS and CNAME records first, then the child zone's SOA and NS skeleton.
/// </summary>
internal static class DelegateVerb
{
    public static Command Create()
    {
        var prefix = new Argument<string>("prefix") { Description = "An IPv4 block from /25 to /32, e.g. 192.0.2.128/26." };
        var nameServers = new Option<string[]>("--ns")
        {
            Description = "A name server of the child zone; repeat for each (--ns ns1.example.net --ns ns2.example.net).",
            HelpName = "host",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.OneOrMore,
        };
        // A trailing "--ns" without a host would otherwise vanish silently.
        nameServers.Validators.Add(result =>
        {
            if (result.IdentifierTokenCount > result.Tokens.Count)
                result.AddError("--ns: each --ns needs a host name after it");
        });
        var style = ClasslessStyleOption.Create();
        var ttl = new Option<int>("--ttl")
        {
            Description = "TTL of every record, in seconds.",
            HelpName = "seconds",
            DefaultValueFactory = _ => DelegationOptions.Default.Ttl,
            CustomParser = result => (int)ParseNumber(result, "TTL", int.MaxValue),
        };
        var serial = new Option<uint?>("--serial")
        {
            Description = "SOA serial of the child zone (default: today as YYYYMMDD01).",
            CustomParser = result => ParseNumber(result, "SOA serial", uint.MaxValue),
        };
        var contact = new Option<string?>("--contact")
        {
            Description = "SOA contact of the child zone, e.g. hostmaster@example.net (default: hostmaster at the first name server's domain).",
        };
        var command = new Command("delegate", "Print the records of an RFC 2317 classless delegation, parent and child side.")
        {
            prefix, nameServers, style, ttl, serial, contact,
        };
        command.SetAction(parseResult =>
        {
            string text = parseResult.GetValue(prefix) ?? "";
            if (!IpPrefix.TryParse(text, out var parsed, out var error))
                return Usage.Fail(parseResult, text, error);
            var options = new DelegationOptions
            {
                Ttl = parseResult.GetValue(ttl),
                // RFC 1912 §2.2: a date-based serial, so a later edit by hand can still increase it.
                Serial = parseResult.GetValue(serial) ?? uint.Parse(
                    DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "01", CultureInfo.InvariantCulture),
                Contact = parseResult.GetValue(contact),
            };
            if (!ClasslessDelegation.TryCreate(parsed, parseResult.GetValue(nameServers) ?? [],
                    ClasslessStyleOption.Read(parseResult, style), options, out var delegation, out error))
                return Usage.Fail(parseResult, error ?? "");
            parseResult.InvocationConfiguration.Output.Write(delegation.ToZoneText());
            return 0;
        });
        return command;
    }

    // RFC 2181 §8 keeps TTLs below 2^31; RFC 1982 serials use all 32 bits.
    private static uint ParseNumber(ArgumentResult result, string what, uint max)
    {
        string token = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (uint.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) && value <= max)
            return value;
        result.AddError($"{Usage.Shown(token)}: {what} must be a whole number 0-{max}");
        return 0;
    }
}
