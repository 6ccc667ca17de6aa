using System.Net.Http.Headers;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Durability;

/// <summary>
/// What `rdns serve` does with its data directory, run as an operator runs it: a directory that
/// has held a store never silently gets a new, empty one; two servers never share one; the store
/// files are the owner's alone; a directory it cannot write is named in the error.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryTests : IDisposable
{
    private readonly List<string> _directories = [];

    private string NewDirectory()
    {
        var path = Directory.CreateTempSubdirectory("rdns-datadir-").FullName;
        _directories.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var d in _directories)
            Directory.Delete(d, recursive: true);
    }

    private static Task<ProcessResult> ServeOnce(string data, params string[] extra) =>
        RdnsProcess.RunAsync(["serve", "--data", data, "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0", .. extra]);

    /// <summary>Starts a server on <paramref name="data"/>, gives it a zone so the store holds something, and stops it.</summary>
    private static async Task<string> UseOnceAsync(string data)
    {
        await using var server = await RdnsServer.StartAsync(data, []);
        using var http = Client(server, server.AdminKey);
        (await http.PostAsync("/v1/zones", new StringContent("""{"prefix":"198.51.100.0/24"}""", System.Text.Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        Assert.Equal(0, await server.StopAsync(TimeSpan.FromSeconds(10)));
        return server.AdminKey;
    }

    private static HttpClient Client(RdnsServer server, string key)
    {
        var http = new HttpClient { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    private static void AssertRefused(ProcessResult result, string data, string why)
    {
        Assert.True(result.ExitCode != 0, $"serve started where it must refuse:\n{result}");
        var line = Assert.Single(result.StderrLines);
        Assert.Contains(data, line);
        Assert.Contains(why, line);
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("truncated")]
    public async Task A_lost_store_is_refused_until_the_operator_says_init_and_the_admin_key_is_kept(string how)
    {
        var data = NewDirectory();
        var key = await UseOnceAsync(data);
        var db = Path.Combine(data, "rdns.db");
        if (how == "deleted")
        {
            foreach (var f in Directory.GetFiles(data, "rdns.db*"))
                File.Delete(f);
        }
        else
        {
            File.WriteAllBytes(db, []);
        }

        var refused = await ServeOnce(data);
        AssertRefused(refused, data, "--init");
        Assert.Contains(how == "deleted" ? "missing" : "empty", refused.Stderr);
        Assert.Equal(how == "deleted" ? -1 : 0, File.Exists(db) ? new FileInfo(db).Length : -1);
        Assert.Equal(key, (await File.ReadAllTextAsync(Path.Combine(data, "admin.key"))).Trim());

        // Said explicitly, it starts with a new store, ready, and the key the operator has still works.
        await using var server = await RdnsServer.StartAsync(data, ["--init"]);
        Assert.Equal(key, server.AdminKey);
        using var http = Client(server, key);
        var zones = await http.GetStringAsync("/v1/zones");
        Assert.DoesNotContain("198.51.100", zones);
        Assert.Contains("ready", await http.GetStringAsync("/readyz"));
    }

    [Fact]
    public async Task A_store_swapped_for_another_is_refused()
    {
        var mine = NewDirectory();
        var other = NewDirectory();
        await UseOnceAsync(mine);
        await UseOnceAsync(other);
        File.Copy(Path.Combine(other, "rdns.db"), Path.Combine(mine, "rdns.db"), overwrite: true);

        AssertRefused(await ServeOnce(mine), mine, "is not the one");
    }

    [Fact]
    public async Task A_second_server_on_the_same_data_directory_is_refused_naming_the_first()
    {
        await using var first = await RdnsServer.StartAsync(null, []);
        var second = await ServeOnce(first.Data);
        AssertRefused(second, first.Data, $"PID {first.ProcessId}");
        Assert.True(first.IsRunning);
    }

    [Fact]
    public async Task The_store_and_the_key_are_readable_by_their_owner_only()
    {
        await using var server = await RdnsServer.StartAsync(null, []);
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        foreach (var name in new[] { "rdns.db", "rdns.db-wal", "rdns.db-shm", "admin.key", "rdns.lock" })
            Assert.Equal((name, ownerOnly), (name, File.GetUnixFileMode(Path.Combine(server.Data, name))));
    }

    [Fact]
    public async Task A_data_directory_that_cannot_be_written_is_named_with_the_problem()
    {
        var data = NewDirectory();
        await UseOnceAsync(data);
        Protect(data);
        try
        {
            AssertRefused(await ServeOnce(data), data, "not writable");
        }
        finally
        {
            Unprotect(data);
        }
    }

    /// <summary>
    /// Makes a directory unwritable for the server: mode 0555, or for root (whom modes do not stop)
    /// the immutable attribute.
    /// </summary>
    private static void Protect(string directory)
    {
        if (Environment.UserName == "root")
        {
            var result = ProcessRunner.RunAsync("chattr", ["+i", directory], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            Assert.True(result.ExitCode == 0, $"chattr +i {directory}: {result}");
        }
        else
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
    }

    private static void Unprotect(string directory)
    {
        if (Environment.UserName == "root")
            ProcessRunner.RunAsync("chattr", ["-i", directory], TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        else
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
