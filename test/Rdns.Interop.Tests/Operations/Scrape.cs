using System.Globalization;

namespace Rdns.Interop.Tests.Operations;

/// <summary>One read of <c>/metrics</c> (Prometheus text format): each series by its name and labels as written.</summary>
public sealed class Scrape
{
    private readonly Dictionary<string, double> _series;

    private Scrape(Dictionary<string, double> series) => _series = series;

    public static async Task<Scrape> ReadAsync(HttpClient http)
    {
        var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var series = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            int space = line.LastIndexOf(' ');
            series[line[..space]] = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
        }
        return new Scrape(series);
    }

    /// <summary>The value of a series (<c>rdns_dns_answers_total{kind="nxdomain"}</c>); 0 when absent.</summary>
    public double this[string series] => _series.GetValueOrDefault(series);

    public bool Has(string prefix) => _series.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));

    public bool HasContaining(string part) => _series.Keys.Any(k => k.Contains(part, StringComparison.Ordinal));

    public IEnumerable<string> Names => _series.Keys;
}
