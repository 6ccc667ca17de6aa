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
    private volatile ServedView[] _views = [];

    public IReadOnlyList<ServedView> Views => _views;

    /// <summary>Replaces the views, in the order they are tried.</summary>
    public void Use(IReadOnlyList<ServedView> views) => _views = [.. views];

    /// <summary>The view of a request, or null for the public view (also for callers outside the pipeline: transfers, tests).</summary>
    public ServedView? Select(in RequestSource source, ReadOnlySpan<byte> query, int tsigOffset)
    {
        var views = _views;
        if (views.Length == 0)
            return null;
        Span<byte> key = stackalloc byte[DnsName.MaxLength];
        int keyLength = 0;
        if (tsigOffset >= 0)
            keyLength = Math.Max(0, WireName.Read(query, tsigOffset, key, out _));
        var keyName = key[..keyLength];
        foreach (var view in views)
        {
            if (view.Matches(source, keyName))
                return view;
        }
        return null;
    }

    public StageVerdict Admit(ref DnsRequest request)
    {
        if (_views.Length == 0)
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
}
