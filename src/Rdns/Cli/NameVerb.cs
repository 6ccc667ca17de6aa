using System.CommandLine;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary><c>rdns name IP</c>: the reverse name of an address.</summary>
internal static class NameVerb
{
    public static Command Create()
    {
        var address = new Argument<string>("ip") { Description = "An IPv4 or IPv6 address, e.g. 192.0.2.129 or 2001:db8::1." };
        var command = new Command("name", "Print the reverse name (in-addr.arpa or ip6.arpa) of an address.") { address };
        command.SetAction(parseResult =>
        {
            string text = parseResult.GetValue(address) ?? "";
            if (!IpAddress.TryParse(text, out var ip, out var error))
                return Usage.Fail(parseResult, text, error);
            parseResult.InvocationConfiguration.Output.WriteLine(ReverseName.ToName(ip));
            return 0;
        });
        return command;
    }
}
