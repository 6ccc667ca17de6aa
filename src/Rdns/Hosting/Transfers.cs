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

    /// <summary>Whether <paramref name="address"/> is the address of a secondary named in the settings (as they stand after any reload).</summary>
    public bool IsSecondaryAddress(System.Net.IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        foreach (var peer in _acl.Peers)
        {
            if (peer.Endpoint.Address.Equals(address))
                return true;
        }
        return false;
    }

    /// <summary>The pipeline's handlers for what this part answers: transfers, NOTIFY, signed queries.</summary>
    public RequestHandlers Handlers => new() { Tsig = Security, Transfers = Handler, Notify = NotifyResponder };

    public static Transfers Create(ServeSettings settings, ServedZones zones, IRdnsStore store, ILoggerFactory loggers, INotifyReceiver? notifyReceiver = null)
    {
        var (keys, peers) = Read(settings);
        var security = new TsigTransferSecurity(keys);
        var acl = new TransferAcl(peers);
        var handler = new ZoneTransferHandler(acl, new StoreJournal(store), security, loggers.CreateLogger("Rdns.Transfers"));
        var responder = new NotifyResponder(acl, security, loggers.CreateLogger("Rdns.Notify"), notifyReceiver);
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
            lock (_viewLock)
            {
                foreach (var (sender, viewKeys) in _viewSenders.Values)
                    sender.Replace(PeersWithKeys(viewKeys));
            }
            changes.Add($"secondaries: [{oldPeers}] -> [{newPeers}]");
        }
        return changes;
    }

    /// <summary>Names, algorithms and a digest of the secrets: a changed secret is a change, and no secret reaches the log.</summary>
    private static string Describe(TsigKeyRing keys) =>
        string.Join(";", keys.Keys.OrderBy(k => k.Name).Select(k =>
            $"{k.Name}/{k.Algorithm}/{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(k.Secret.ToArray()))}"));

    /// <summary>One NOTIFY sender per view, to the secondaries whose TSIG key is one of the view's keys.</summary>
    private readonly Dictionary<string, (NotifySender Sender, IReadOnlyList<string> Keys)> _viewSenders = [];
    private readonly Lock _viewLock = new();

    private static string KeyText(string name) => name.TrimEnd('.').ToLowerInvariant();

    private IReadOnlyList<SecondaryPeer> PeersWithKeys(IReadOnlyList<string> keys)
    {
        var wanted = keys.Select(KeyText).ToHashSet();
        return [.. Peers.Where(p => p.KeyName is not null && wanted.Contains(KeyText(p.KeyName)))];
    }

    /// <summary>
    /// Sends NOTIFY for the changes of every view's zones to the secondaries that transfer the view
    /// (those whose key is one of the view's keys, as the view's rules will match their transfers);
    /// call it with the views whenever they change.
    /// </summary>
    public void FollowViews(IReadOnlyList<Control.Views.ViewZones> views, ILoggerFactory loggers)
    {
        List<NotifySender> dropped = [];
        lock (_viewLock)
        {
            var names = views.Select(v => v.Name).ToHashSet();
            foreach (var gone in _viewSenders.Keys.Where(n => !names.Contains(n)).ToList())
            {
                dropped.Add(_viewSenders[gone].Sender);
                _viewSenders.Remove(gone);
            }
            foreach (var view in views)
            {
                var keys = view.Definition?.Keys ?? [];
                if (_viewSenders.TryGetValue(view.Name, out var existing))
                {
                    existing.Sender.Replace(PeersWithKeys(keys));
                    _viewSenders[view.Name] = (existing.Sender, keys);
                    continue;
                }
                var sender = new NotifySender(PeersWithKeys(keys), view.Served, Security, loggers.CreateLogger("Rdns.Notify"));
                _viewSenders[view.Name] = (sender, keys);
                view.Service.Applied += notice =>
                {
                    if (notice.Kind is ChangeKind.Changed or ChangeKind.Created)
                        Announce(sender, notice.Zone, notice.Serial);
                };
            }
        }
        foreach (var sender in dropped)
            _ = sender.DisposeAsync().AsTask();
    }

    /// <summary>Sends NOTIFY for every zone change that becomes visible here.</summary>
    public void Follow(ZoneService service) =>
        service.Applied += notice =>
        {
            if (notice.Kind is ChangeKind.Changed or ChangeKind.Created)
                Announce(Sender, notice.Zone, notice.Serial);
        };

    private readonly Lock _holdLock = new();
    private List<(NotifySender Sender, DnsName Zone, uint Serial)>? _held;

    /// <summary>
    /// Keeps the NOTIFYs of the changes from now on until <see cref="ReleaseNotifies"/>. A bulk load's
    /// commits (<see cref="IRdnsStore.BeginBulkLoadAsync"/>) are not durable until it completes, and
    /// no secondary may be told of a serial that this node could still lose: it would transfer data
    /// the primary no longer has after a crash, and refuse the primary's reissued serials as old.
    /// </summary>
    public void HoldNotifies()
    {
        lock (_holdLock)
            _held ??= [];
    }

    /// <summary>Sends the NOTIFYs held since <see cref="HoldNotifies"/> (call it once what they announce is durable), and every later one at once.</summary>
    public void ReleaseNotifies()
    {
        // Under the lock, so a change announced meanwhile cannot overtake an older serial of its zone.
        lock (_holdLock)
        {
            if (_held is not { } held)
                return;
            _held = null;
            foreach (var (sender, zone, serial) in held)
                sender.Enqueue(zone, serial);
        }
    }

    private void Announce(NotifySender sender, DnsName zone, uint serial)
    {
        lock (_holdLock)
        {
            if (_held is { } held)
                held.Add((sender, zone, serial));
            else
                sender.Enqueue(zone, serial);
        }
    }

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

    public async ValueTask DisposeAsync()
    {
        await Sender.DisposeAsync().ConfigureAwait(false);
        List<NotifySender> senders;
        lock (_viewLock)
        {
            senders = [.. _viewSenders.Values.Select(v => v.Sender)];
            _viewSenders.Clear();
        }
        foreach (var sender in senders)
            await sender.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class StoreJournal(IRdnsStore store) : IJournalSource
    {
        public Task<IReadOnlyList<Changeset>?> GetChangesAsync(string view, DnsName zone, uint fromSerial, CancellationToken cancellationToken) =>
            store.GetJournalAsync(view, zone, fromSerial, cancellationToken);
    }
}
