using System.CommandLine;
using Rdns.Protocol.Names;
using Rdns.Protocol.Tsig;

namespace Rdns.Cli;

/// <summary>
/// <c>rdns tsig-keygen NAME [--algorithm ALG]</c>: a new TSIG key in BIND's <c>key</c> syntax, the
/// form BIND's own <c>tsig-keygen</c> prints, so the output goes unchanged into <c>named.conf</c>,
/// <c>dig -k</c>, <c>nsupdate -k</c> and our key files.
/// </summary>
internal static class TsigKeygenVerb
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The key's name, a domain name such as transfer.example.net (both peers must use the same)." };
        var algorithm = new Option<string>("--algorithm", "-a")
        {
            Description = "HMAC algorithm (RFC 8945 §6); hmac-sha1 only for peers that lack the others.",
            DefaultValueFactory = _ => TsigAlgorithms.ToText(TsigAlgorithm.HmacSha256),
        };
        algorithm.AcceptOnlyFromAmong(TsigAlgorithms.Supported.Select(TsigAlgorithms.ToText).ToArray());
        var command = new Command("tsig-keygen", "Print a new TSIG key with a random secret as long as the algorithm's output.") { name, algorithm };
        command.SetAction(parseResult =>
        {
            string text = parseResult.GetValue(name) ?? "";
            if (!DnsName.TryParse(text, null, out var keyName, out string? error))
                return Usage.Fail(parseResult, text, $"not a key name: {error}");
            if (keyName.IsRoot)
                return Usage.Fail(parseResult, text, "a key needs a name other than the root");
            TsigAlgorithms.TryParse(parseResult.GetValue(algorithm), out var parsed);
            parseResult.InvocationConfiguration.Output.Write(TsigKey.Generate(keyName, parsed).ToBindText());
            return 0;
        });
        return command;
    }
}
