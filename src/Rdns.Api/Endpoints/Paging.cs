using System.Text;

namespace Rdns.Api.Endpoints;

/// <summary>
/// Pagination shared by every listing: <c>limit</c> (1-1000, default 100) and <c>after</c>, the
/// <c>next</c> of the previous page. The cursor is the position of the last item in the listing's
/// order, not its index, so an item added or removed between two pages shifts nothing.
/// </summary>
public static class Paging
{
    /// <summary>100: a page a person reads at once and a script fetches in one small response.</summary>
    public const int DefaultLimit = 100;

    /// <summary>1000: bounds the work and the body of one request.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The validated page size; 400 naming <c>limit</c> when out of range.</summary>
    public static int Limit(int? limit) =>
        limit switch
        {
            null => DefaultLimit,
            < 1 or > MaxLimit => throw ApiException.Invalid("limit", $"must be 1-{MaxLimit}"),
            _ => limit.Value,
        };

    /// <summary>
    /// The page after <paramref name="after"/> of <paramref name="items"/>, ordered by
    /// <paramref name="sortKey"/> (ordinal; the key must be unique per item).
    /// </summary>
    public static Page<TView> Page<T, TView>(IEnumerable<T> items, Func<T, string> sortKey, Func<T, TView> view, int? limit, string? after)
    {
        int size = Limit(limit);
        string? from = after is null ? null : Decode(after);
        var page = items
            .Select(i => (Key: sortKey(i), Item: i))
            .Where(i => from is null || string.CompareOrdinal(i.Key, from) > 0)
            .OrderBy(i => i.Key, StringComparer.Ordinal)
            .Take(size + 1)
            .ToList();
        string? next = page.Count > size ? Encode(page[size - 1].Key) : null;
        return new Page<TView>(page.Take(size).Select(i => view(i.Item)).ToList(), next);
    }

    /// <summary>An opaque cursor: clients pass it back unchanged and never build one.</summary>
    public static string Encode(string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The key inside a cursor; 400 naming <c>after</c> when it is not one this API made.</summary>
    public static string Decode(string cursor)
    {
        if (cursor.Length is 0 or > 1400)
            throw ApiException.Invalid("after", "not a cursor: pass the 'next' of the previous page unchanged");
        var text = cursor.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(text));
        }
        catch (FormatException)
        {
            throw ApiException.Invalid("after", "not a cursor: pass the 'next' of the previous page unchanged");
        }
    }

    /// <summary>A sort key of an address or prefix: family, then the first address in big-endian hex, so ordinal order is numeric order.</summary>
    public static string AddressKey(string prefixOrAddress)
    {
        if (Addressing.IpPrefix.TryParse(prefixOrAddress, out var prefix, out _))
            return (prefix.Family == Addressing.IpFamily.V4 ? "4" : "6") + prefix.First.Value.ToString("x32", System.Globalization.CultureInfo.InvariantCulture) + "/" + prefix.Length.ToString("d3", System.Globalization.CultureInfo.InvariantCulture);
        return prefixOrAddress;
    }

    /// <summary>A sort key of a time: fixed-width UTC ticks, so ordinal order is time order.</summary>
    public static string TimeKey(DateTimeOffset at) => at.UtcTicks.ToString("d19", System.Globalization.CultureInfo.InvariantCulture);
}
