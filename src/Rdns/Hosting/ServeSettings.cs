using System.Net;
using Microsoft.Extensions.Configuration;

namespace Rdns.Hosting;

/// <summary>
/// Settings of <c>rdns serve</c>. They come, later ones winning, from the defaults here, a JSON
/// config file (<c>--config FILE</c>, else <c>DATA/rdns.json</c> when present), environment
/// variables prefixed <c>RDNS_</c> (<c>RDNS_DNS=127.0.0.1:53</c>; nested keys with <c>__</c>), and
/// the command line.
/// </summary>
public sealed class ServeSettings
{
    /// <summary>Where the SQLite store and the admin key live; ./rdns-data keeps a first run self-contained.</summary>
    public string Data { get; set; } = "rdns-data";

    /// <summary>
    /// DNS on UDP and TCP. 127.0.0.1:5353: loopback and an unprivileged port until told otherwise.
    /// Several addresses separated by commas (<c>--dns</c> repeats): one set of listeners each, so
    /// views can match on the address a query arrived on.
    /// </summary>
    public string Dns { get; set; } = "127.0.0.1:5353";

    /// <summary>The HTTP API. Loopback by default: the API should not face a network unplanned.</summary>
    public string Http { get; set; } = "127.0.0.1:8080";

    /// <summary>A directory of <c>*.zone</c> files to load at start.</summary>
    public string? Zones { get; set; }

    /// <summary>A PostgreSQL connection string (<c>Host=...</c>) or a SQLite path; default DATA/rdns.db.</summary>
    public string? Store { get; set; }

    public string? Nsid { get; set; }

    /// <summary>
    /// Apex NS names for zones created through the API and for pools (flag <c>--ns</c>, repeatable;
    /// setting <c>Zones:NameServers</c>, or <c>NameServers</c>; RDNS_ZONES__NAMESERVERS__0=...).
    /// Default: this host's fully qualified name; a one-label name is warned about at start.
    /// </summary>
    public List<string>? NameServers { get; set; }

    /// <summary>The SOA contact of new zones (flag <c>--contact</c>, setting <c>Zones:Contact</c>): <c>hostmaster@example.net</c> or <c>hostmaster.example.net.</c>; default hostmaster.ZONE.</summary>
    public string? Contact { get; set; }

    public int? UdpWorkers { get; set; }

    /// <summary>
    /// The recursive resolver forward checks ask, <c>IP:PORT</c> (several separated by commas);
    /// default: the nameservers of /etc/resolv.conf.
    /// </summary>
    public string? Resolver { get; set; }

    /// <summary>Record limits of zone-file reads (config file section <c>Import</c>).</summary>
    public ImportLimits Import { get; set; } = new();

    /// <summary>
    /// What CHAOS queries about the server answer (section <c>Chaos</c>): <c>Version</c> for
    /// version.bind (default "Rdns" and the version; empty hides it), <c>Identity</c> for
    /// hostname.bind and id.server (default: the NSID, so hidden unless one is set).
    /// </summary>
    public ChaosSettings Chaos { get; set; } = new();

    /// <summary>Response rate limiting (section <c>Rrl</c>: Rate, Slip, Exempt, TableSize, Ipv4PrefixLength, Ipv6PrefixLength).</summary>
    public Server.Stages.RrlOptions Rrl { get; set; } = new();

    /// <summary>DNS cookies (section <c>Cookies</c>: Enabled).</summary>
    public Server.Stages.CookieOptions Cookies { get; set; } = new();

    /// <summary>Prometheus metrics at /metrics (section <c>Metrics</c>: Enabled, Zones).</summary>
    public Rdns.Hosting.Metrics.MetricsSettings Metrics { get; set; } = new();

    /// <summary>dnstap query logging (section <c>Dnstap</c>: Socket, Sample, QueueSize, Identity, Responses).</summary>
    public Server.Dnstap.DnstapOptions Dnstap { get; set; } = new();

    /// <summary>
    /// Console log format: <c>simple</c> (one line per event) or <c>json</c> (one JSON object per
    /// line, for journald or a log shipper). Levels come from the standard <c>Logging</c> section.
    /// </summary>
    public string LogFormat { get; set; } = "simple";

    /// <summary>The configuration these settings were bound from; reloaded on SIGHUP.</summary>
    /// <remarks>A method pair, not a property: the configuration binder binds properties only.</remarks>
    internal IConfigurationRoot? Configuration() => _configuration;

    private IConfigurationRoot? _configuration;

    /// <summary>Tenant policy (config file section <c>Tenants</c>: CoolDown, RecheckInterval, PtrTtl, RequestsPerMinute).</summary>
    public Control.Tenants.TenantOptions Tenants { get; set; } = new();

    public Resolver.ResolverOptions ResolverOptions()
    {
        if (string.IsNullOrWhiteSpace(Resolver))
            return Rdns.Resolver.ResolverOptions.FromResolvConf();
        var servers = new List<IPEndPoint>();
        foreach (var part in Resolver.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            servers.Add(EndpointText.TryParse(part, out var ep, out var error) ? ep : throw new SettingsException($"Resolver '{part}': {error}"));
        return new Resolver.ResolverOptions { Servers = servers };
    }

    /// <summary>
    /// Secondaries, <c>IP:PORT[@KEYNAME]</c>: each gets NOTIFY after every change and may transfer
    /// (with that TSIG key when named). On the command line <c>--secondary</c> repeats; in the config
    /// file a list; in the environment RDNS_SECONDARIES__0=...
    /// </summary>
    public List<string>? Secondaries { get; set; }

    /// <summary>Secondaries given on the command line (comma-joined by the CLI), merged with the list.</summary>
    public string? Secondary { get; set; }

    /// <summary>TSIG keys in BIND's <c>key "name" { algorithm ...; secret "..."; };</c> format.</summary>
    public string? TsigKeys { get; set; }

    /// <summary>DNS UPDATE (section <c>Update</c>: UnsignedFrom, UnsignedAllow, Keys — the rules of <c>--tsig-keys</c> keys by name).</summary>
    public Control.Updates.UpdateOptions Update { get; set; } = new();

    /// <summary>
    /// DNSSEC online signing (section <c>Dnssec</c>: Algorithm, Keys, Denial, SignatureValidity,
    /// SignatureRefresh, ZskLifetime, KskLifetime, PropagationDelay, ParentDsTtl, CheckInterval,
    /// SignatureCacheMegabytes; docs/DNSSEC.md). Zones are signed only when enabled through the API.
    /// </summary>
    public Control.Dnssec.DnssecOptions Dnssec { get; set; } = new();

    /// <summary>The catalog zone listing every hosted zone (RFC 9432); default catalog.invalid.</summary>
    public string Catalog { get; set; } = Control.Zones.CatalogZone.DefaultName;

    /// <summary>
    /// Secondary mode: primaries to follow, <c>IP:PORT[@KEYNAME]</c> (the key from <c>--tsig-keys</c>).
    /// The node transfers the primary's catalog zone (<see cref="Catalog"/>) and every member, serves
    /// them from its own store, and refuses local changes. On the command line <c>--primary</c>
    /// repeats; in the config file a list; in the environment RDNS_PRIMARIES__0=...
    /// </summary>
    public List<string>? Primaries { get; set; }

    /// <summary>Primaries given on the command line (comma-joined by the CLI), merged with the list.</summary>
    public string? Primary { get; set; }

    /// <summary>Zones followed in secondary mode whether or not the catalog lists them (a primary without a catalog zone).</summary>
    public List<string>? FollowZones { get; set; }

    public IEnumerable<string> PrimaryList() =>
        (Primaries ?? []).Concat((Primary ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>True when the node follows primaries instead of taking changes itself.</summary>
    public bool IsSecondary => PrimaryList().Any();

    public IEnumerable<string> SecondaryList() =>
        (Secondaries ?? []).Concat((Secondary ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// <c>--init</c>, command line only: start even though the data directory has held a store that
    /// is now missing, empty or another one, creating (or accepting) the store found. Not bound from
    /// files or the environment, where it would stay set and disarm the check for good.
    /// </summary>
    public bool Init { get; internal set; }

    /// <summary>No log output (for hosts embedded in tests).</summary>
    public bool Quiet { get; set; }

    /// <summary>The first DNS address (the one reported when there are several).</summary>
    /// <remarks>The endpoints are methods, not properties: they are parsed from <see cref="Dns"/> and <see cref="Http"/>, never bound.</remarks>
    public IPEndPoint DnsEndpoint() => DnsEndpoints()[0];

    public IReadOnlyList<IPEndPoint> DnsEndpoints()
    {
        var list = Dns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(d => Parse(d, "Dns")).ToList();
        return list.Count > 0 ? list : throw new SettingsException("Dns: at least one IP:PORT is required");
    }

    public IPEndPoint HttpEndpoint() => Parse(Http, "Http");

    private static IPEndPoint Parse(string text, string key) =>
        EndpointText.TryParse(text, out var ep, out var error) ? ep : throw new SettingsException($"{key} '{text}': {error}");

    /// <summary>Checks everything up front, so a bad setting stops the start with one clear line.</summary>
    public void Validate()
    {
        var dnsEndpoints = DnsEndpoints();
        if (dnsEndpoints.Distinct().Count() != dnsEndpoints.Count)
            throw new SettingsException($"Dns '{Dns}': an address is given twice");
        _ = HttpEndpoint();
        if (Zones is not null && !Directory.Exists(Zones))
            throw new SettingsException($"Zones '{Zones}': no such directory");
        if (Resolver is not null)
            _ = ResolverOptions();
        if (!Protocol.Names.DnsName.TryParse(Catalog.EndsWith('.') ? Catalog : Catalog + ".", null, out _, out var catalogError))
            throw new SettingsException($"Catalog '{Catalog}': {catalogError}");
        if (TsigKeys is not null && !File.Exists(TsigKeys))
            throw new SettingsException($"TsigKeys '{TsigKeys}': no such file");
        if (Tenants.CoolDown < TimeSpan.Zero || Tenants.RecheckInterval <= TimeSpan.Zero || Tenants.RequestsPerMinute < 1)
            throw new SettingsException("Tenants: CoolDown must be >= 0, RecheckInterval > 0, RequestsPerMinute >= 1");
        if (Import.ApiRecords < 1 || Import.ZoneFileRecords < 1)
            throw new SettingsException("Import: ApiRecords and ZoneFileRecords must be >= 1");
        try
        {
            Rrl.Validate();
            Dnssec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new SettingsException(e.Message);
        }
        foreach (var primary in PrimaryList())
        {
            if (!Transfer.PrimaryServer.TryParse(primary, out _, out _, out var primaryError))
                throw new SettingsException($"Primary '{primary}': {primaryError}");
        }
        if (IsSecondary && Zones is not null)
            throw new SettingsException("Zones: a secondary (--primary) takes its zones from its primary; load zone files on the primary");
        foreach (var zone in FollowZones ?? [])
        {
            if (!Protocol.Names.DnsName.TryParse(zone.EndsWith('.') ? zone : zone + ".", null, out _, out var zoneError))
                throw new SettingsException($"FollowZones '{zone}': {zoneError}");
        }
        foreach (var ns in NameServers ?? [])
        {
            if (!Addressing.PtrTarget.TryNormalize(ns, out _, out var nsError))
                throw new SettingsException($"Zones:NameServers '{ns}': {nsError}");
        }
        if (Contact is not null && !Protocol.Names.DnsName.TryParse(Control.Zones.ZoneDefaults.ContactName(Contact), null, out _, out var contactError))
            throw new SettingsException($"Zones:Contact '{Contact}': {contactError}");
        if (UdpWorkers is < 1 or > 256)
            throw new SettingsException($"UdpWorkers {UdpWorkers}: must be 1-256");
        if (LogFormat is not ("simple" or "json"))
            throw new SettingsException($"LogFormat '{LogFormat}': must be simple or json");
        try
        {
            Dnstap.Validate();
        }
        catch (ArgumentException e)
        {
            throw new SettingsException(e.Message);
        }
        foreach (var zone in Metrics.Zones ?? [])
        {
            if (!Protocol.Names.DnsName.TryParse(zone.EndsWith('.') ? zone : zone + ".", null, out _, out var zoneError))
                throw new SettingsException($"Metrics:Zones '{zone}': {zoneError}");
        }
        if (Metrics.Otlp is { } otlp && (!Uri.TryCreate(otlp, UriKind.Absolute, out var otlpUri) || otlpUri.Scheme is not ("http" or "https")))
            throw new SettingsException($"Metrics:Otlp '{otlp}': must be an http(s) URL such as http://collector:4318/v1/metrics");
        if (Metrics.OtlpIntervalSeconds < 1)
            throw new SettingsException($"Metrics:OtlpIntervalSeconds {Metrics.OtlpIntervalSeconds}: must be 1 or more");
        if (Metrics.Zones is { Count: > Server.Pipeline.QueryCounters.MaxZones })
            throw new SettingsException($"Metrics:Zones: at most {Server.Pipeline.QueryCounters.MaxZones} zones are counted one by one");
    }

    public static ServeSettings Bind(string? configFile, string? dataFromCommandLine, IDictionary<string, string?> commandLine)
    {
        var builder = new ConfigurationBuilder();
        string dataGuess = dataFromCommandLine ?? Environment.GetEnvironmentVariable("RDNS_DATA") ?? "rdns-data";
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
                throw new SettingsException($"config file '{configFile}' does not exist");
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        else
        {
            builder.AddJsonFile(Path.GetFullPath(Path.Combine(dataGuess, "rdns.json")), optional: true);
        }
        // The standard Logging__LogLevel__... variables work as in any .NET service, beside RDNS_LOGGING__...
        builder.AddInMemoryCollection(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Where(e => e.Key is string k && k.StartsWith("Logging__", StringComparison.OrdinalIgnoreCase))
            .Select(e => new KeyValuePair<string, string?>(((string)e.Key).Replace("__", ":", StringComparison.Ordinal), e.Value as string)));
        builder.AddEnvironmentVariables("RDNS_");
        builder.AddInMemoryCollection(commandLine.Where(kv => kv.Value is not null));
        var settings = new ServeSettings();
        try
        {
            var configuration = builder.Build();
            // Zones:NameServers and Zones:Contact: a section beside the Zones directory setting,
            // which the binder cannot put on a string property, so bound without it and read by hand.
            new ConfigurationBuilder()
                .AddInMemoryCollection(configuration.AsEnumerable().Where(kv => !kv.Key.StartsWith("Zones:", StringComparison.OrdinalIgnoreCase)))
                .Build()
                .Bind(settings);
            if (configuration.GetSection("Zones:NameServers").Get<List<string>>() is { Count: > 0 } nameServers)
                settings.NameServers = nameServers;
            if (configuration["Zones:Contact"] is { Length: > 0 } contact)
                settings.Contact = contact;
            settings._configuration = configuration;
        }
        catch (InvalidOperationException e)
        {
            throw new SettingsException(e.Message);
        }
        return settings;
    }
}

/// <summary>The CHAOS-class self-description (section <c>Chaos</c>).</summary>
public sealed class ChaosSettings
{
    public string? Version { get; set; } = $"Rdns {ProductVersion.Text}";

    public string? Identity { get; set; }
}

/// <summary>The product's version, from the assembly (Directory.Build.props).</summary>
public static class ProductVersion
{
    public static string Text { get; } =
        (typeof(ProductVersion).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0")
        .Split('+')[0];
}

/// <summary>A setting that cannot be used; the message names it.</summary>
public sealed class SettingsException(string message) : Exception(message);
