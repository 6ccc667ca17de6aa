using System.Globalization;

namespace Rdns.Bench.Micro;

/// <summary>The subcommands' options: <c>--name N</c>.</summary>
internal static class Args
{
    public static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
