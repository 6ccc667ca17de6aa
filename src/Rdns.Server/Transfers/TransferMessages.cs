using System.Runtime.CompilerServices;
using Rdns.Protocol.Names;
using Rdns.Protocol.Wire;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Server.Transfers;

/// <summary>
/// The messages of one transfer, each as long as it can be, written one after another into one
/// buffer: the plan's records, then its compact PTR records (read straight into the message,
/// nothing allocated per record), then its closing records. The loop that fills a message is
/// compiled fully optimized at its first call (<see cref="MethodImplOptions.AggressiveOptimization"/>):
/// it runs once per transfer for a million records, too few calls for tiered compilation to
/// replace its first, unoptimized code before the first transfers are done.
/// </summary>
internal sealed class TransferMessages
{
    private enum Phase { Records, Compact, Closing, Done }

    private readonly ReadOnlyMemory<byte> _query;
    private readonly ParsedRequest _request;
    private readonly byte[] _buffer;
    private readonly ITransferSession _session;
    private readonly BulkMessageWriter _writer;
    private readonly IEnumerator<TransferRecord> _records;
    private readonly CompactRecordCursor? _compact;
    private readonly IReadOnlyList<TransferRecord> _closing;
    private readonly byte[] _owner = new byte[DnsName.MaxLength];
    private readonly byte[] _target = new byte[DnsName.MaxLength];
    private Phase _phase;
    private int _closingAt;
    private bool _first = true;
    // A record read but not yet written (it did not fit the last message): it opens the next one.
    private TransferRecord? _held;
    private int _heldOwner = -1, _heldTarget, _heldSuffixAt, _heldSuffixId;
    private uint _heldTtl;

    /// <param name="writer">Writes every message into its buffer; its state from an earlier transfer does not matter (each message begins afresh).</param>
    public TransferMessages(ReadOnlyMemory<byte> query, in ParsedRequest request, BulkMessageWriter writer, TransferPlan plan, ITransferSession session)
    {
        _query = query;
        _request = request;
        _buffer = writer.Buffer;
        _session = session;
        _writer = writer;
        _records = plan.Records.GetEnumerator();
        _compact = plan.Compact;
        _closing = plan.Closing ?? [];
    }

    /// <summary>Records written so far.</summary>
    public long Records { get; private set; }

    /// <summary>
    /// Writes the next message into the buffer (signed when the session signs) and returns its
    /// length; 0 when the transfer is complete.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Next()
    {
        if (_phase == Phase.Done)
            return 0;
        var w = _writer;
        w.Begin(_request.Header.Id, DnsHeader.MakeFlags(HeaderFlags.QR | HeaderFlags.AA, Opcode.Query, 0), _session.SignatureSpace,
            _first ? _request.QuestionName(_query.Span) : default, _request.QType, _request.QClass);
        _first = false;
        if (_held is { } held)
        {
            _held = null;
            Add(w, held.Owner, held.Type, held.Ttl, held.Data);
        }
        else if (_heldOwner >= 0)
        {
            if (!w.TryAddPtr(_owner.AsSpan(0, _heldOwner), _heldTtl, _target.AsSpan(0, _heldTarget), _heldSuffixAt, _heldSuffixId))
                throw new InvalidOperationException("a record larger than a transfer message");
            Records++;
            _heldOwner = -1;
        }
        while (_phase == Phase.Records)
        {
            if (!_records.MoveNext())
            {
                _records.Dispose();
                _phase = _compact is null ? Phase.Closing : Phase.Compact;
                break;
            }
            var r = _records.Current;
            if (!w.TryAdd(r.Owner, r.Type, r.Ttl, r.Data))
            {
                _held = r;
                return Finish(w);
            }
            Records++;
        }
        if (_phase == Phase.Compact)
        {
            var cursor = _compact!;
            var owner = _owner;
            var target = _target;
            long records = Records;
            while (cursor.Next(owner, target, out int ownerLength, out int targetLength, out uint ttl, out int suffixAt, out int suffixId))
            {
                if (!w.TryAddPtr(owner.AsSpan(0, ownerLength), ttl, target.AsSpan(0, targetLength), suffixAt, suffixId))
                {
                    (_heldOwner, _heldTarget, _heldTtl, _heldSuffixAt, _heldSuffixId) = (ownerLength, targetLength, ttl, suffixAt, suffixId);
                    Records = records;
                    return Finish(w);
                }
                records++;
            }
            Records = records;
            _phase = Phase.Closing;
        }
        while (_closingAt < _closing.Count)
        {
            var r = _closing[_closingAt];
            if (!w.TryAdd(r.Owner, r.Type, r.Ttl, r.Data))
            {
                if (w.AnswerCount == 0)
                    throw new InvalidOperationException("a record larger than a transfer message");
                return Finish(w);
            }
            _closingAt++;
            Records++;
        }
        _phase = Phase.Done;
        return Finish(w);
    }

    private int Finish(BulkMessageWriter w) => _session.Finish(_buffer, w.Finish());

    /// <summary>The first record of a fresh message: it fits unless it is larger than any message.</summary>
    private void Add(BulkMessageWriter w, ReadOnlySpan<byte> owner, RecordType type, uint ttl, ReadOnlySpan<byte> data)
    {
        if (!w.TryAdd(owner, type, ttl, data))
            throw new InvalidOperationException("a record larger than a transfer message");
        Records++;
    }
}
