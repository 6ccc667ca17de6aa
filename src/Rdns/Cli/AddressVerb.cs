using System.CommandLine;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary><c>rdns address NAME</c>: the address a reverse name stands for.</summary>
internal static class AddressVerb
{
    public static Command Create()
    {
        var name = new Argument<string>("name")
        {
            Description = "A reverse name, e.g. 129.2.0.192.in-addr.arpa or 129.128-26.2.0.192.in-addr.arpa.",
        };
        var command = new Command("address", "Print the address a reverse name stands for (RFC 2317 child names included).") { name };
        command.SetAction(parseResult =>
        {
            string text = parseResult.GetValue(name) ?? "";
            if (!ReverseName.TryParseAddress(text, out var address, out var error))
                return Usage.Fail(parseResult, text, error);
            parseResult.InvocationConfiguration.Output.WriteLine(address.ToString());
            return 0;
        });
        return command;
    }
}
