using Microsoft.Extensions.Logging;
using Rdns.Control.Zones;
using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Tsig;
using Rdns.Server.Pipeline;
using Rdns.Server.Transfers;
using Rdns.Storage;
using Rdns.Zones;

namespace Rdns.Hosting;

/// <summary>
/// Everything that serves secondaries: the transfer ACL and TSIG keys from the settings, the
/// AXFR/IXFR handler, the NOTIFY responder, and the NOTIFY sender fed by committed changes.
/// </summary>
public sealed class Transfers : IAsyncDisposable
{
    private readonly TransferAcl _acl;
    private TsigKeyRing _fileKeys;

    private Transfers(ZoneTransferHandler handler, NotifyResponder responder, NotifySender sender, TransferAcl acl, TsigTransferSecurity security, TsigKeyRing fileKeys)
    {
        _fileKeys = fileKeys;
        Security = security;
        Handler = handler;
        NotifyResponder = responder;
        Sender = sender;
        _acl = acl;
    }

    public ZoneTransferHandler Handler { get; }

    public NotifyResponder NotifyResponder { get; }

    public NotifySender Sender { get; }

    public TsigKeyRing Keys => Security.Keys;

    /// <summary>
    /// Given the keys of a reloaded --tsig-keys file, to merge them with the keys kept in the store;
    /// without it they replace the verifier's keys directly.
    /// </summary>
    public Action<TsigKeyRing>? FileKeysChanged { get; set; }

    public TsigTransferSecurity Security { get; }

    public IReadOnlyList<SecondaryPeer> Peers => _acl.Peers;

    /// <summary>The pipeline's handlers for what this part answers: transfers, NOTIFY, signed queries.</summary>
    public RequestHandlers Handlers => new() { Tsig = Security, Transfers = Handler, Notify = NotifyResponder };

    public static Transfers Create(ServeSettings settings, ServedZones zones, IRdnsStore store, ILoggerFactory loggers)
    {
        var (keys, peers) = Read(settings);
        var security = new TsigTransferSecurity(keys);
        var acl = new TransferAcl(peers);
        var handler = new ZoneTransferHandler(acl, new StoreJournal(store), security, loggers.CreateLogger("Rdns.Transfers"));
        var responder = new NotifyResponder(acl, security, loggers.CreateLogger("Rdns.Notify"));
        var sender = new NotifySender(peers, zones, security, loggers.CreateLogger("Rdns.Notify"));
        return new Transfers(handler, responder, sender, acl, security, keys);
    }

    /// <summary>The keys and secondaries the settings name, checked against each other; a SettingsException names what is wrong.</summary>
    private static (TsigKeyRing Keys, List<SecondaryPeer> Peers) Read(ServeSettings settings)
    {
        var keys = settings.TsigKeys is null ? TsigKeyRing.Empty : LoadKeys(settings.TsigKeys);
        var peers = new List<SecondaryPeer>();
        foreach (var text in settings.SecondaryList())
        {
            if (!SecondaryPeer.TryParse(text, out var peer, out var error))
                throw new SettingsException($"Secondary '{text}': {error}");
            if (peer!.KeyName is not null && keys.Find(DnsName.Parse(peer.KeyName)) is null)
                throw new SettingsException($"Secondary '{text}': no TSIG key named {peer.KeyName} in {settings.TsigKeys ?? "(no --tsig-keys file)"}");
            peers.Add(peer);
        }
        return (keys, peers);
    }

    /// <summary>
    /// Takes the TSIG keys and secondaries of reloaded settings (SIGHUP); returns what changed, for
    /// the log. Nothing changes when they are not valid together (the exception says why).
    /// </summary>
    public IReadOnlyList<string> Reload(ServeSettings settings)
    {
        var (keys, peers) = Read(settings);
        var changes = new List<string>();
        var before = Describe(_fileKeys);
        var after = Describe(keys);
        if (before != after)
        {
            _fileKeys = keys;
            if (FileKeysChanged is { } merge)
                merge(keys);
            else
                Security.UseKeys(keys);
            changes.Add($"TSIG keys: {keys.Count} ({string.Join(", ", keys.Keys.Select(k => k.Name.ToString()))})");
        }
        var oldPeers = string.Join(", ", Peers.Select(p => $"{p.Endpoint}{(p.KeyName is null ? "" : "@" + p.KeyName)}"));
        var newPeers = string.Join(", ", peers.Select(p => $"{p.Endpoint}{(p.KeyName is null ? "" : "@" + p.KeyName)}"));
        if (oldPeers != newPeers)
        {
            _acl.Replace(peers);
            Sender.Replace(peers);
            changes.Add($"secondaries: [{oldPeers}] -> [{newPeers}]");
        }
        return changes;
    }

    /// <summary>Names, algorithms and a digest of the secrets: a changed secret is a change, and no secret reaches the log.</summary>
    private static string Describe(TsigKeyRing keys) =>
        string.Join(";", keys.Keys.OrderBy(k => k.Name).Select(k =>
            $"{k.Name}/{k.Algorithm}/{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(k.Secret.ToArray()))}"));

    /// <summary>Sends NOTIFY for every zone change that becomes visible here.</summary>
    public void Follow(ZoneService service) =>
        service.Applied += notice =>
        {
            if (notice.Kind is ChangeKind.Changed or ChangeKind.Created)
                Sender.Enqueue(notice.Zone, notice.Serial);
        };

    private static TsigKeyRing LoadKeys(string path)
    {
        try
        {
            return new TsigKeyRing(TsigKeyFile.Read(path));
        }
        catch (TsigKeyFileException e)
        {
            throw new SettingsException($"TsigKeys: {e.Message}");
        }
        catch (IOException e)
        {
            throw new SettingsException($"TsigKeys '{path}': {e.Message}");
        }
    }

    public ValueTask DisposeAsync() => Sender.DisposeAsync();

    private sealed class StoreJournal(IRdnsStore store) : IJournalSource
    {
        public Task<IReadOnlyList<Changeset>?> GetChangesAsync(DnsName zone, uint fromSerial, CancellationToken cancellationToken) =>
            store.GetJournalAsync(zone, fromSerial, cancellationToken);
    }
}
