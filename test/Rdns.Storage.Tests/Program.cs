using Rdns.Protocol.Names;
using static Rdns.Storage.Tests.TestZones;

namespace Rdns.Storage.Tests;

/// <summary>
/// Entry point of the test assembly when run as a program (<c>dotnet Rdns.Storage.Tests.dll</c>),
/// which only the crash test does; the test runner never calls it.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) =>
        args is [CrashWriter.Verb, var directory] ? CrashWriter.RunAsync(directory) : Task.FromResult(2);
}

/// <summary>A writer that commits one PTR after another and acknowledges each on stdout, until it is killed.</summary>
internal static class CrashWriter
{
    public const string Verb = "crash-writer";

    /// <summary>Large enough that no acknowledged changeset is pruned before the check.</summary>
    public const int JournalLimit = 1_000_000;

    public static readonly DnsName Zone = DnsName.Parse("9.0.192.in-addr.arpa.");

    public static async Task<int> RunAsync(string directory)
    {
        var store = StoreFactory.Open(new StoreOptions { JournalLimit = JournalLimit }, directory);
        await store.MigrateAsync();
        await store.CreateZoneAsync(Zone, TestZones.Zone(Zone, 1, ptrs: 0), false, Audit("create", "crash"));
        for (uint serial = 1; serial < 1_000_000; serial++)
        {
            await store.CommitAsync([Change(Zone, serial, serial + 1, added: [Ptr(Zone, (int)serial + 1)])], Audit("commit", "crash"));
            Console.Out.WriteLine($"acked {serial + 1}");
            Console.Out.Flush();
        }
        return 0;
    }
}
