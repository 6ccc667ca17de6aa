using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Rdns.Hosting;
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

    [GeneratedRegex(@"Let go of (\d+) kB of program file pages")]
    private static partial Regex Released();

    /// <summary>The mapped and the resident kB of the mappings of the process that the server lets go of (its executable's and libraries').</summary>
    private static (long Mapped, long Resident) ProgramKb(int pid)
    {
        string executable = Path.GetFullPath(File.ResolveLinkTarget($"/proc/{pid}/exe", returnFinalTarget: true)!.FullName);
        // Every mapping of that kind, resident or not (one let go whole is still mapped).
        var program = ProgramPages.Mappings(File.ReadLines($"/proc/{pid}/smaps"))
            .Where(m => ProgramPages.IsProgramFile(m with { ResidentKb = Math.Max(1, m.ResidentKb) }, executable)).ToList();
        return (program.Sum(m => (long)(m.End - m.Start) / 1024), program.Sum(m => m.ResidentKb));
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
