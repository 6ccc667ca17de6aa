using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Cli;

/// <summary>`rdns serve --zones DIR` holds each file to a record limit, which the operator can raise.</summary>
public sealed class ZoneFileLimitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rdns-zonelimit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_zone_file_making_more_records_than_allowed_stops_the_start_naming_file_and_setting()
    {
        var zone = Write("zones/2.0.192.in-addr.arpa.zone",
            "$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n$GENERATE 0-255 $ PTR host-$.example.net.\n");
        var tight = Write("tight.json", """{"Import": {"ZoneFileRecords": 100}}""");
        var refused = await RdnsProcess.RunAsync("serve", "--data", Path.Combine(_root, "data1"), "--http", "127.0.0.1:0", "--dns", "127.0.0.1:0",
            "--zones", Path.Combine(_root, "zones"), "--config", tight);
        Assert.Equal(2, refused.ExitCode);
        var line = Assert.Single(refused.StderrLines);
        Assert.Contains(zone, line);
        Assert.Contains("the limit is 100", line);
        Assert.Contains("Import:ZoneFileRecords", line);

        var roomy = Write("roomy.json", """{"Import": {"ZoneFileRecords": 1000}}""");
        var data = Directory.CreateDirectory(Path.Combine(_root, "data2")).FullName;
        await using var server = await RdnsServer.StartAsync(data, ["--zones", Path.Combine(_root, "zones"), "--config", roomy]);
        Assert.True(server.IsRunning);
    }
}
