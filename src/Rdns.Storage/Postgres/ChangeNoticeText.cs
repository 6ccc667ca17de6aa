using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Rdns.Protocol.Names;

namespace Rdns.Storage.Postgres;

/// <summary>
/// The NOTIFY payload of a change: <c>kind serial zone</c>, e.g. <c>changed 2024010203 2.0.192.in-addr.arpa.</c>;
/// a zone of a view other than the public one has the view after the kind (<c>changed@office ...</c>).
/// Text, so it can be watched with psql; the zone comes last because its presentation form may
/// contain an escaped space.
/// </summary>
internal static class ChangeNoticeText
{
    public static string Format(ChangeNotice notice) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{KindText(notice.Kind)}{(Addressing.ViewName.IsPublic(notice.View) ? "" : "@" + notice.View)} {notice.Serial} {notice.Zone}");

    public static bool TryParse(string payload, [NotNullWhen(true)] out ChangeNotice? notice)
    {
        notice = null;
        var parts = payload.Split(' ', 3);
        if (parts.Length != 3 || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint serial))
            return false;
        string view = Addressing.ViewName.Public;
        int at = parts[0].IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            view = parts[0][(at + 1)..];
            parts[0] = parts[0][..at];
            if (!Addressing.ViewName.TryValidate(view, out _))
                return false;
        }
        ChangeKind? kind = parts[0] switch
        {
            "changed" => ChangeKind.Changed,
            "created" => ChangeKind.Created,
            "deleted" => ChangeKind.Deleted,
            "pools" => ChangeKind.Pools,
            "tsig-keys" => ChangeKind.TsigKeys,
            "dnssec-keys" => ChangeKind.DnssecKeys,
            "views" => ChangeKind.Views,
            _ => null,
        };
        if (kind is null || !DnsName.TryParse(parts[2], null, out var zone, out _))
            return false;
        notice = new ChangeNotice(zone, serial, kind.Value) { View = view };
        return true;
    }

    private static string KindText(ChangeKind kind) => kind switch
    {
        ChangeKind.Changed => "changed",
        ChangeKind.Created => "created",
        ChangeKind.Deleted => "deleted",
        ChangeKind.Pools => "pools",
        ChangeKind.TsigKeys => "tsig-keys",
        ChangeKind.DnssecKeys => "dnssec-keys",
        ChangeKind.Views => "views",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
