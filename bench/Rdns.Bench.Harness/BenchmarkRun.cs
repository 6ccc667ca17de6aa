using System.Diagnostics;
using Rdns.Bench.Data;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Bench.Harness;

/// <summary>
/// One server after another on the same dataset: start, wait until serving, measure memory,
/// load it with dnsperf while counting its CPU time, ask the comparison sample, stop it.
/// </summary>
public sealed class BenchmarkRun(HarnessOptions options, DatasetManifest dataset, TextWriter console)
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    private readonly string _zones = Path.Combine(options.Data, DatasetManifest.ZonesFolder);
    private readonly string _queries = Path.Combine(options.Data, DatasetManifest.QueryFile);
    private List<string>? _sample;

    public ServerResult Run(ServerKind kind)
    {
        var result = new ServerResult(kind.Name);
        string work = Path.Combine(options.Output, "work", kind.Name.ToLowerInvariant());
        if (Directory.Exists(work))
            Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        string exe = kind.Executable!;
        result.Version = Version(exe, kind.VersionFlag);
        try
        {
            if (kind is RdnsServer rdns)
                Import(rdns, work, result);
            int port = ServerKind.FreePort();
            var arguments = kind.Prepare(work, _zones, dataset, port);
            result.Log = Path.Combine(options.Output, $"{kind.Name.ToLowerInvariant()}.log");
            Say($"{kind.Name}: starting ({exe})");
            using var server = ServerProcess.Start(exe, arguments, result.Log, work);
            var (first, all) = WaitForProbes(server, port, options.StartTimeout);
            result.FirstAnswerSeconds = first;
            result.StartSeconds = all;
            result.AllZonesSeconds = WaitForAllZones(server, port, options.StartTimeout);
            Say($"{kind.Name}: serving after {result.StartSeconds:F2} s (all zones {result.AllZonesSeconds:F2} s)");

            Thread.Sleep(TimeSpan.FromSeconds(2));
            result.PssAfterLoad = ProcessTree.Pss(server.Pid);
            result.PssPerPtr = (double)result.PssAfterLoad / dataset.PtrRecords;
            Say($"{kind.Name}: PSS {result.PssAfterLoad / 1048576.0:F1} MiB, {result.PssPerPtr:F0} B per PTR");

            Say($"{kind.Name}: dnsperf -c {options.Clients} -T {options.Threads} -l {options.Seconds}");
            double cpuBefore = ProcessTree.CpuSeconds(server.Pid);
            result.Load = Dnsperf.Run(_queries, port, options.Clients, options.Threads, options.Seconds, options.DnsperfArguments);
            double cpuAfter = ProcessTree.CpuSeconds(server.Pid);
            result.CpuSeconds = cpuAfter - cpuBefore;
            if (result.Load.Completed > 0)
                result.CpuMicrosPerQuery = result.CpuSeconds * 1e6 / result.Load.Completed;
            result.PssAfterTraffic = ProcessTree.Pss(server.Pid);
            Say($"{kind.Name}: {result.Load.QueriesPerSecond:F0} qps, {result.Load.Completed} completed, {result.Load.Lost} lost, {result.CpuMicrosPerQuery:F2} µs CPU per query");

            _sample ??= AnswerComparison.Sample(_queries, options.Compare, dataset.Seed);
            result.Answers = AnswerComparison.Collect(port, _sample, TimeSpan.FromSeconds(60));
            // In use: queries answered (above), and for Rdns its API used as an operator would.
            if (kind is RdnsServer inUse)
                inUse.UseApi(work, _zones, dataset);
            // Measured 5 s after the last request: what a server in use holds between requests.
            Thread.Sleep(TimeSpan.FromSeconds(5));
            result.PssInUse = ProcessTree.Pss(server.Pid);
            result.PssInUsePerPtr = (double)result.PssInUse / dataset.PtrRecords;
            Say($"{kind.Name}: in use, PSS {result.PssInUse / 1048576.0:F1} MiB, {result.PssInUsePerPtr:F0} B per PTR");
            if (server.HasExited)
                throw new InvalidOperationException($"{kind.Name} exited during the run; see {result.Log}");
            server.Stop(Grace);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or HttpRequestException)
        {
            result.Error = e.Message;
            Say($"{kind.Name}: FAILED: {e.Message}");
        }
        finally
        {
            kind.Cleanup();
            if (!options.Keep)
                TryDelete(work);
        }
        return result;
    }

    public IReadOnlyList<string> Sample => _sample ?? [];

    /// <summary>Rdns: the zone files into a fresh store (<c>serve --zones</c>) until serving, then stopped.</summary>
    private void Import(RdnsServer rdns, string work, ServerResult result)
    {
        int port = ServerKind.FreePort();
        Say($"Rdns: importing {dataset.Zones} zone files into a fresh store");
        string log = Path.Combine(options.Output, "rdns-import.log");
        using (var server = ServerProcess.Start(rdns.Executable!, rdns.ImportArguments(work, _zones, port), log, work))
        {
            var (_, all) = WaitForProbes(server, port, options.ImportTimeout);
            result.ImportSeconds = all;
            server.Stop(Grace);
        }
        result.StoreBytes = new DirectoryInfo(Path.Combine(work, "store")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        Say($"Rdns: imported and serving after {result.ImportSeconds:F1} s; store {result.StoreBytes / 1048576.0:F0} MiB");
    }

    /// <summary>Seconds from spawn to the first correct probe answer and to all probes answered correctly.</summary>
    private (double First, double All) WaitForProbes(ServerProcess server, int port, TimeSpan timeout)
    {
        using var asker = new UdpAsker(port);
        var pending = dataset.Probes.ToList();
        double? first = null;
        while (true)
        {
            if (server.HasExited)
                throw new InvalidOperationException("the server exited before serving; see its log");
            if (server.Clock.Elapsed > timeout)
                throw new TimeoutException($"not serving after {timeout.TotalSeconds:F0} s");
            var answers = asker.AskAll([.. pending.Select(p => (p.Name, RecordType.PTR))], TimeSpan.FromMilliseconds(100), resend: TimeSpan.FromMilliseconds(20));
            var done = new List<Probe>();
            foreach (var (index, reply) in answers)
            {
                if (IsAnswer(reply, pending[index].Target))
                    done.Add(pending[index]);
            }
            if (done.Count > 0)
                first ??= server.Clock.Elapsed.TotalSeconds;
            pending.RemoveAll(done.Contains);
            if (pending.Count == 0)
                return (first!.Value, server.Clock.Elapsed.TotalSeconds);
            Thread.Sleep(10);
        }
    }

    private double WaitForAllZones(ServerProcess server, int port, TimeSpan timeout)
    {
        using var asker = new UdpAsker(port);
        var pending = dataset.ZoneNames.ToList();
        while (true)
        {
            if (server.HasExited)
                throw new InvalidOperationException("the server exited before serving every zone; see its log");
            if (server.Clock.Elapsed > timeout)
                throw new TimeoutException($"{pending.Count} zones not served after {timeout.TotalSeconds:F0} s");
            // In batches: one asker holds at most 65,536 questions in flight (the message ID space).
            const int batch = 16_384;
            var done = new HashSet<int>();
            for (int from = 0; from < pending.Count; from += batch)
            {
                var answers = asker.AskAll([.. pending.Skip(from).Take(batch).Select(z => (z, RecordType.SOA))], TimeSpan.FromSeconds(2));
                foreach (var (index, reply) in answers)
                {
                    if (reply.Rcode == 0 && reply.Has(HeaderFlags.AA) && reply.Answers.Any(r => r.Type == RecordType.SOA))
                        done.Add(from + index);
                }
            }
            pending = [.. pending.Where((_, i) => !done.Contains(i))];
            if (pending.Count == 0)
                return server.Clock.Elapsed.TotalSeconds;
            Thread.Sleep(50);
        }
    }

    private static bool IsAnswer(DnsMessage reply, string target) =>
        reply.Rcode == 0 && reply.Answers.Any(r => r.Type == RecordType.PTR &&
            string.Equals(Rdata.ToText(RecordType.PTR, r.Data), target, StringComparison.OrdinalIgnoreCase));

    private static string? Version(string exe, string flag)
    {
        try
        {
            var info = new ProcessStartInfo(exe, flag) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(info);
            if (p is null)
                return null;
            string text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit(10_000);
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Say(string line) => console.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {line}");
}
