using System.CommandLine;
using Rdns.Addressing;

namespace Rdns.Cli;

/// <summary><c>--style dash|slash</c>: the separator of RFC 2317 child labels.</summary>
internal static class ClasslessStyleOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--style")
        {
            Description = "RFC 2317 child label style: dash (128-26, the default) or slash (128/26, as in RFC 2317's examples).",
            DefaultValueFactory = _ => "dash",
        };
        option.AcceptOnlyFromAmong("dash", "slash");
        return option;
    }

    public static ClasslessStyle Read(ParseResult parseResult, Option<string> option)
        => parseResult.GetValue(option) == "slash" ? ClasslessStyle.Slash : ClasslessStyle.Dash;
}
