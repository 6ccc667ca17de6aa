using System.Globalization;

namespace Rdns.Bench.Writes;

internal sealed record BenchOptions(string Mode, string Rdns, string? Store, int Clients, int Seconds, int Changes, string Work)
{
    public static BenchOptions? Parse(string[] args)
    {
        if (args.Length == 0)
            return null;
        string rdns = Path.GetFullPath("rdns");
        string? store = null;
        int clients = 32, seconds = 10, changes = 1000;
        string work = Path.Combine(Path.GetTempPath(), "rdns-bench-writes");
        for (int i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rdns": rdns = Path.GetFullPath(args[++i]); break;
                case "--store": store = args[++i]; break;
                case "--clients": clients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--changes": changes = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--work": work = Path.GetFullPath(args[++i]); break;
                default: return null;
            }
        }
        return new BenchOptions(args[0], rdns, store, clients, seconds, changes, work);
    }
}
