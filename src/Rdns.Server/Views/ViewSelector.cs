using Rdns.Protocol.Names;
using Rdns.Server.Pipeline;
using Rdns.Zones;

namespace Rdns.Server.Views;

/// <summary>
/// The admission stage that picks a request's view: the first view whose rules match, else the
/// public one (the served zones the pipeline starts with). The views are one immutable array,
/// replaced whole when an operator changes them (<see cref="Use"/>), so a change applies from the
/// next query on every worker and a query never sees half of one. Allocates nothing.
/// </summary>
public sealed class ViewSelector : IQueryStage
{
    /// <summary>The views and their index of client prefixes, swapped together.</summary>
    private sealed record Table(ServedView[] Views, ClientIndex Index);

    private volatile Table _table = new([], new ClientIndex([]));

    public IReadOnlyList<ServedView> Views => _table.Views;

    /// <summary>Replaces the views, in the order they are tried.</summary>
    public void Use(IReadOnlyList<ServedView> views) => _table = new Table([.. views], new ClientIndex(views));

    /// <summary>The view of a request, or null for the public view (also for callers outside the pipeline: transfers, tests).</summary>
    public ServedView? Select(in RequestSource source, ReadOnlySpan<byte> query, int tsigOffset)
    {
        var table = _table;
        if (table.Views.Length == 0)
            return null;
        // Room for the TSIG key's name only when the request is signed (stack space is zeroed).
        Span<byte> key = tsigOffset >= 0 ? stackalloc byte[DnsName.MaxLength] : default;
        int keyLength = tsigOffset >= 0 ? Math.Max(0, WireName.Read(query, tsigOffset, key, out _)) : 0;
        var keyName = key[..keyLength];
        // Only views the client's address can match are tried, in order (ClientIndex).
        for (int i = table.Index.Next(source.Client, -1); i >= 0; i = table.Index.Next(source.Client, i))
        {
            if (table.Views[i].Matches(source, keyName))
                return table.Views[i];
        }
        return null;
    }

    public StageVerdict Admit(ref DnsRequest request)
    {
        if (_table.Views.Length == 0)
            return StageVerdict.Continue;
        var view = Select(request.Source, request.Query, request.WellFormed ? request.Parsed.TsigOffset : -1);
        if (view is not null)
        {
            request.Zones = view.Zones.Current;
            request.View = view.Name;
        }
        return StageVerdict.Continue;
    }

    public void Complete(ref DnsRequest request)
    {
    }

    public bool Completes => false;
}
