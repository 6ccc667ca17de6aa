using Rdns.Server.Pipeline;

namespace Rdns.Server.Views;

/// <summary>
/// Which views a client address can match by their client prefixes, found by one hash lookup per
/// distinct prefix length rather than by trying every view: with a hundred views of one /16 each,
/// selection costs about what it costs with one. Views without client prefixes are always
/// candidates. Candidates come out in view order, so the first full match is still the first view
/// whose rules all match. Built once per change of the views; read without locks or allocation.
/// </summary>
internal sealed class ClientIndex
{
    private readonly int[] _unindexed;
    private readonly Length4[] _v4;
    private readonly Length6[] _v6;

    /// <summary>IPv4 keys as 32-bit numbers: hashing and comparing them is cheaper than 128-bit ones.</summary>
    private sealed record Length4(uint Mask, Dictionary<uint, int[]> Views);

    private sealed record Length6(UInt128 Mask, Dictionary<UInt128, int[]> Views);

    public ClientIndex(IReadOnlyList<ServedView> views)
    {
        var unindexed = new List<int>();
        var v4 = new SortedDictionary<int, Dictionary<UInt128, SortedSet<int>>>();
        var v6 = new SortedDictionary<int, Dictionary<UInt128, SortedSet<int>>>();
        for (int i = 0; i < views.Count; i++)
        {
            if (views[i].Clients.Length == 0)
            {
                unindexed.Add(i);
                continue;
            }
            foreach (var rule in views[i].Clients)
            {
                var byLength = rule.IsV6 ? v6 : v4;
                if (!byLength.TryGetValue(rule.Bits, out var networks))
                    byLength[rule.Bits] = networks = [];
                if (!networks.TryGetValue(rule.Network, out var list))
                    networks[rule.Network] = list = [];
                list.Add(i);
            }
        }
        _unindexed = [.. unindexed];
        _v4 = [.. v4.Select(kv => new Length4((uint)AddressMatch.MaskOf(false, kv.Key), kv.Value.ToDictionary(n => (uint)n.Key, n => n.Value.ToArray())))];
        _v6 = [.. v6.Select(kv => new Length6(AddressMatch.MaskOf(true, kv.Key), kv.Value.ToDictionary(n => n.Key, n => n.Value.ToArray())))];
    }

    /// <summary>The lowest view index above <paramref name="after"/> that may match <paramref name="client"/>; -1 when none is left.</summary>
    public int Next(in ClientAddress client, int after)
    {
        int best = FirstAbove(_unindexed, after);
        if (!client.IsKnown)
            return best;
        if (client.IsV6)
        {
            foreach (var length in _v6)
            {
                if (length.Views.TryGetValue(client.Value & length.Mask, out var views))
                    best = Lower(best, FirstAbove(views, after));
            }
            return best;
        }
        uint address = (uint)client.Value;
        foreach (var length in _v4)
        {
            if (length.Views.TryGetValue(address & length.Mask, out var views))
                best = Lower(best, FirstAbove(views, after));
        }
        return best;
    }

    /// <summary>The lower of two view indexes, -1 meaning none.</summary>
    private static int Lower(int a, int b) => a < 0 ? b : b < 0 ? a : Math.Min(a, b);

    private static int FirstAbove(int[] sorted, int after)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= after)
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo < sorted.Length ? sorted[lo] : -1;
    }
}
