using System.Text.RegularExpressions;
using Rdns.Interop.Tests.Support;

namespace Rdns.Interop.Tests.Operations;

/// <summary>The secondary configurations in docs/SECONDARIES.md, checked by the servers' own tools, so the page cannot rot.</summary>
public sealed partial class SecondaryConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rdns-secondary-conf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static List<(string Language, string Body)> Blocks() =>
        Fence().Matches(File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "SECONDARIES.md")))
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    private async Task<ProcessResult> CheckAsync(string tool, string config, string text, Func<string, string[]> arguments)
    {
        var path = Path.Combine(_dir, config);
        await File.WriteAllTextAsync(path, text);
        var program = ProcessRunner.Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed (./test.sh installs it)");
        return await ProcessRunner.RunAsync(program, arguments(path), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_bind_9_18_configuration_is_valid()
    {
        var conf = Blocks().Single(b => b.Language == "conf").Body.Replace("/var/cache/bind", _dir);
        var result = await CheckAsync("named-checkconf", "named.conf", conf, p => [p]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("catalog-zones", conf);
    }

    [Fact]
    public async Task The_knot_3_2_configuration_is_valid()
    {
        var conf = Blocks().Where(b => b.Language == "yaml").Single(b => b.Body.Contains("catalog-role")).Body;
        var result = await CheckAsync("knotc", "knot.conf", conf, p => ["-c", p, "conf-check"]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task The_nsd_4_6_configuration_is_valid_and_lists_zones_one_by_one()
    {
        var conf = Blocks().Where(b => b.Language == "yaml").Single(b => b.Body.Contains("include-pattern")).Body;
        var result = await CheckAsync("nsd-checkconf", "nsd.conf", conf, p => [p]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("catalog", conf);
    }

    [GeneratedRegex(@"```(\w+)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();
}
