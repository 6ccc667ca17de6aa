using Rdns.Protocol.Names;
using Rdns.Protocol.Records;
using Rdns.Protocol.Wire;

namespace Rdns.Transfer;

/// <summary>
/// Reads the answer records of an AXFR or IXFR response, message after message, and says when the
/// transfer is complete. The forms (RFC 1995 §4, RFC 5936 §2.2):
/// <list type="bullet">
/// <item>the SOA alone: nothing newer (IXFR only);</item>
/// <item>SOA, then anything but an SOA, ..., the SOA again: the whole zone (AXFR, or an IXFR answered in full);</item>
/// <item>SOA(new), then per changeset SOA(old) removed... SOA(next) added..., then SOA(new): incremental.</item>
/// </list>
/// </summary>
internal sealed class TransferStream(DnsName zone)
{
    private enum State
    {
        First,
        Second,
        Full,
        Deletions,
        Additions,
        Done,
    }

    private State _state = State.First;
    private ResourceRecord? _soa;
    private uint _serial;
    private readonly List<ResourceRecord> _records = [];
    private readonly List<Changeset> _changes = [];
    private uint _from;
    private uint _to;
    private List<ResourceRecord> _removed = [];
    private List<ResourceRecord> _added = [];

    public bool IsDone => _state == State.Done;

    /// <summary>Only the primary's SOA so far.</summary>
    public bool HasOnlySoa => _state == State.Second;

    /// <summary>
    /// After the first message of an IXFR: only the primary's SOA, and its serial is not newer than
    /// <paramref name="held"/> (RFC 1995 §2: the answer is complete). A newer SOA alone in the first
    /// message opens a longer answer: PowerDNS sends the SOA of a whole-zone answer in a message of
    /// its own.
    /// </summary>
    public bool SaysNothingNewerThan(uint held) => _state == State.Second && (int)(_serial - held) <= 0;

    public void Add(ResourceRecord r)
    {
        if (_state == State.Done)
            throw new TransferException(TransferFailure.Malformed, $"records after the closing SOA of {zone}");
        bool soa = r.Type == RecordType.SOA;
        if (soa && (!r.Owner.Equals(zone) || !Rdata.IsValid(RecordType.SOA, r.Data)))
            throw new TransferException(TransferFailure.Malformed, $"an SOA of {r.Owner} in the transfer of {zone}");
        switch (_state)
        {
            case State.First:
                if (!soa)
                    throw new TransferException(TransferFailure.Malformed, $"the transfer of {zone} does not start with its SOA (found {r.Owner} {r.Type})");
                _soa = r;
                _serial = Rdata.SoaSerial(r.Data);
                _state = State.Second;
                break;
            case State.Second:
                if (soa && Rdata.SoaSerial(r.Data) != _serial)
                {
                    // RFC 1995 §4: an SOA with another serial right after the first opens the
                    // first changeset's deletions (its serial is ours).
                    Begin(r);
                }
                else if (soa)
                {
                    // A zone of one record: SOA, SOA.
                    _records.Add(_soa!);
                    _state = State.Done;
                }
                else
                {
                    _records.Add(_soa!);
                    _records.Add(r);
                    _state = State.Full;
                }
                break;
            case State.Full:
                if (soa)
                    _state = State.Done;
                else
                    _records.Add(r);
                break;
            case State.Deletions:
                if (soa)
                {
                    _to = Rdata.SoaSerial(r.Data);
                    _added.Add(r);
                    _state = State.Additions;
                }
                else
                {
                    _removed.Add(r);
                }
                break;
            case State.Additions:
                if (!soa)
                {
                    _added.Add(r);
                    break;
                }
                _changes.Add(new Changeset(_from, _to, _removed, _added));
                uint serial = Rdata.SoaSerial(r.Data);
                if (serial == _serial && _to == _serial)
                {
                    _state = State.Done;
                    break;
                }
                if (serial != _to)
                    throw new TransferException(TransferFailure.Malformed, $"the changesets of {zone} do not chain: one ends at {_to}, the next starts at {serial}");
                Begin(r);
                break;
        }
    }

    private void Begin(ResourceRecord oldSoa)
    {
        _from = Rdata.SoaSerial(oldSoa.Data);
        _removed = [oldSoa];
        _added = [];
        _state = State.Deletions;
    }

    public ZoneTransfer Result(long bytes, int messages)
    {
        if (_soa is null)
            throw new TransferException(TransferFailure.Malformed, $"the transfer of {zone} was empty");
        if (_state == State.Second)
            return new NoNewerVersion(_soa, bytes, messages);
        if (_state != State.Done)
            throw new TransferException(TransferFailure.Malformed, $"the transfer of {zone} ended before its closing SOA");
        return _changes.Count > 0
            ? new IncrementalTransfer(_soa, _changes, bytes, messages)
            : new FullTransfer(_soa, _records, bytes, messages);
    }
}
