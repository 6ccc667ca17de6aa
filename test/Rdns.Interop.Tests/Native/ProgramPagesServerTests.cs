using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Native;

/// <summary>
/// A server that has started and gone quiet lets go of the pages of its program files that
/// start-up touched (its resident program pages fall well below what they were when it began to
/// serve), and answers DNS and the API as before from pages brought back when used.
/// </summary>
public sealed partial class ProgramPagesServerTests : IAsyncLifetime
{
    private RdnsServer _server = null!;

    public async Task InitializeAsync() => _server = await RdnsServer.StartAsync(null, [],
        new Dictionary<string, string?> { ["RDNS_LOGGING__LOGLEVEL__RDNS.HOSTING.MEMORYTRIMMER"] = "Debug" });

    public async Task DisposeAsync()
    {
        Assert.Empty(_server.FailureLines());
        await _server.DisposeAsync();
    }

    [GeneratedRegex(@"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")]
    private static partial Regex Header();

    [GeneratedRegex(@"Let go of (\d+) kB of program file pages")]
    private static partial Regex Released();

    /// <summary>The mapped and the resident kB of the process's clean, read-only mappings of its executable and libraries.</summary>
    private static (long Mapped, long Resident) ProgramKb(int pid)
    {
        string executable = Path.GetFullPath(File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: true)!.FullName);
        long mapped = 0, resident = 0;
        bool program = false;
        long size = 0, rss = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var header = Header().Match(line);
            if (header.Success)
            {
                string path = header.Groups[4].Value.Trim();
                string permissions = header.Groups[3].Value;
                program = permissions[1] == '-' && permissions[3] == 'p'
                    && (path == executable || path.EndsWith(".so", StringComparison.Ordinal) || path.Contains(".so.", StringComparison.Ordinal));
                size = rss = 0;
            }
            else if (line.StartsWith("Size:", StringComparison.Ordinal))
            {
                size = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Anonymous:", StringComparison.Ordinal) && program
                && long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) == 0)
            {
                mapped += size;
                resident += rss;
            }
        }
        return (mapped, resident);
    }

    [Fact]
    public async Task A_quiet_server_lets_go_of_start_up_pages_and_still_answers()
    {
        // The trimmer lets go a few seconds after start once the server is quiet; a bound far
        // above that says only that it happens at all.
        Match released = Match.Empty;
        for (var waited = System.Diagnostics.Stopwatch.StartNew(); waited.Elapsed < TimeSpan.FromSeconds(60) && !released.Success; await Task.Delay(250))
            released = Released().Match(_server.Output);
        Assert.True(released.Success, _server.Output);
        Assert.True(long.Parse(released.Groups[1].Value, CultureInfo.InvariantCulture) > 1024, released.Value);
        // Start-up leaves most of the program resident (the kernel maps the pages around each one
        // touched); an idle server now holds well under half of it.
        var (mapped, resident) = ProgramKb(_server.ProcessId);
        Assert.True(resident * 2 < mapped, $"{resident} kB of {mapped} kB of program pages resident");

        // Everything still works: the API (a write, a read) and an answer over DNS.
        using var http = new HttpClient { BaseAddress = _server.Http, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _server.AdminKey);
        using (var created = await http.PostAsync("/v1/zones", new StringContent("""{"name": "2.0.192.in-addr.arpa"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var set = await http.PutAsync("/v1/ptr/192.0.2.9", new StringContent("""{"ptrdname": "after.example.net"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var kdig = ProcessRunner.Find("kdig") ?? throw new InvalidOperationException("kdig is not installed (./test.sh installs knot-dnsutils)");
        var answer = await ProcessRunner.RunAsync(kdig, ["@127.0.0.1", "-p", _server.Dns.Port.ToString(CultureInfo.InvariantCulture), "+short", "-x", "192.0.2.9"], TimeSpan.FromSeconds(10));
        Assert.Equal("after.example.net.", answer.Stdout.Trim());
    }
}
