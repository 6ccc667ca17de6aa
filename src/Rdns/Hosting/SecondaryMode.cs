using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rdns.Control.Secondary;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Transfer;
using Rdns.Zones;

namespace Rdns.Hosting;

/// <summary>
/// <c>rdns serve --primary IP:PORT[@KEY]</c>: the follower of the primaries, its state file beside
/// the store (<c>DATA/secondary-state.json</c>), and NOTIFY from the primaries routed to it.
/// </summary>
public static class SecondaryMode
{
    public const string StateFile = "secondary-state.json";

    public static void Register(IServiceCollection services, ServeSettings settings, string dataDirectory)
    {
        services.AddSingleton(sp => Options(settings, sp.GetRequiredService<Transfers>().Keys));
        services.AddSingleton(_ => new TransferClient());
        services.AddSingleton(_ => RefreshTimes.Load(Path.Combine(dataDirectory, StateFile)));
        services.AddSingleton(sp => new SecondaryFollower(sp.GetRequiredService<SecondaryOptions>(), sp.GetRequiredService<ZoneWriter>(),
            sp.GetRequiredService<ServedZones>(), sp.GetRequiredService<TransferClient>(), sp.GetRequiredService<RefreshTimes>(), TimeProvider.System,
            sp.GetRequiredService<ILogger<SecondaryFollower>>()));
        services.AddSingleton(sp => new SecondaryPromotion(sp.GetRequiredService<SecondaryFollower>(), sp.GetRequiredService<Control.Tenants.PoolService>(),
            sp.GetRequiredService<CatalogZone>(), sp.GetRequiredService<ZoneFollower>(), sp.GetRequiredService<ZoneService>(),
            Path.Combine(dataDirectory, SecondaryPromotion.MarkerFile)));
    }

    /// <summary>A node promoted to primary does not follow its old primary again because a setting still says so.</summary>
    public static void RefuseIfPromoted(string dataDirectory)
    {
        var marker = Path.Combine(dataDirectory, SecondaryPromotion.MarkerFile);
        if (File.Exists(marker))
            throw new StartupException($"this node was promoted to primary ({marker}); start it without --primary, or delete that file to follow a primary again (its zones are then replaced by the primary's)");
    }

    /// <summary>The primaries with their keys looked up in the key file; a key it lacks stops the start, naming both.</summary>
    public static SecondaryOptions Options(ServeSettings settings, Protocol.Tsig.TsigKeyRing keys)
    {
        var primaries = new List<PrimaryServer>();
        foreach (var text in settings.PrimaryList())
        {
            if (!PrimaryServer.TryParse(text, out var endpoint, out var keyName, out var error))
                throw new SettingsException($"Primary '{text}': {error}");
            Protocol.Tsig.TsigKey? key = null;
            if (keyName is not null)
                key = keys.Find(DnsName.Parse(keyName)) ?? throw new SettingsException($"Primary '{text}': no TSIG key named {keyName} in {settings.TsigKeys ?? "(no --tsig-keys file)"}");
            primaries.Add(new PrimaryServer(endpoint, key));
        }
        return new SecondaryOptions
        {
            Primaries = primaries,
            Catalog = DnsName.Parse(settings.Catalog.EndsWith('.') ? settings.Catalog : settings.Catalog + ".").ToLower(),
            Zones = (settings.FollowZones ?? []).Select(z => DnsName.Parse(z.EndsWith('.') ? z : z + ".").ToLower()).ToList(),
        };
    }

    /// <summary>NOTIFY from a primary wakes the zone's refresh in the follower.</summary>
    public sealed class NotifyRoute(Func<SecondaryFollower> follower) : Server.Transfers.INotifyReceiver
    {
        public bool Accepts(System.Net.IPAddress source, string? keyName) => follower().IsPrimary(source, keyName);

        public bool Notified(DnsName zone, uint? serial) => follower().Notify(zone, serial);
    }
}
