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
    private Transfers(ZoneTransferHandler handler, NotifyResponder responder, NotifySender sender, TsigKeyRing keys, IReadOnlyList<SecondaryPeer> peers, TsigTransferSecurity security)
    {
        Security = security;
        Handler = handler;
        NotifyResponder = responder;
        Sender = sender;
        Keys = keys;
        Peers = peers;
    }

    public ZoneTransferHandler Handler { get; }

    public NotifyResponder NotifyResponder { get; }

    public NotifySender Sender { get; }

    public TsigKeyRing Keys { get; }

    public TsigTransferSecurity Security { get; }

    public IReadOnlyList<SecondaryPeer> Peers { get; }

    /// <summary>The pipeline's handlers for what this part answers: transfers, NOTIFY, signed queries.</summary>
    public RequestHandlers Handlers => new() { Tsig = Security, Transfers = Handler, Notify = NotifyResponder };

    public static Transfers Create(ServeSettings settings, ServedZones zones, IRdnsStore store, ILoggerFactory loggers, INotifyReceiver? notifyReceiver = null)
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
        var security = new TsigTransferSecurity(keys);
        var acl = new TransferAcl(peers);
        var handler = new ZoneTransferHandler(acl, new StoreJournal(store), security, loggers.CreateLogger("Rdns.Transfers"));
        var responder = new NotifyResponder(acl, security, loggers.CreateLogger("Rdns.Notify"), notifyReceiver);
        var sender = new NotifySender(peers, zones, security, loggers.CreateLogger("Rdns.Notify"));
        return new Transfers(handler, responder, sender, keys, peers, security);
    }

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
