using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Rdns.Storage;

/// <summary>
/// The searchable keys written beside an audit row, so filters run in the database: the tenant
/// that acted (from the actor <c>tenant:ten_…:key_…</c>) and the tenant the row names (its target
/// or the first <c>ten_…</c> word of its detail); the target as a lowercased absolute name; and the
/// address ranges its target and the first word of its detail name. Addresses are 32 hex digits of
/// the IPv6 address (IPv4 mapped, RFC 4291 §2.5.5.2), so text order is address order in both
/// databases (PostgreSQL compares them in the "C" collation).
/// </summary>
internal readonly record struct AuditKeys(string? ActorTenant, string? SubjectTenant, string TargetName,
    string? TargetFirst, string? TargetLast, string? DetailFirst, string? DetailLast)
{
    public static AuditKeys Of(string actor, string target, string? detail)
    {
        string? actorTenant = null;
        if (actor.StartsWith("tenant:", StringComparison.Ordinal))
        {
            int end = actor.IndexOf(':', 7);
            actorTenant = end < 0 ? actor[7..] : actor[7..end];
        }
        string? subject = IsTenantId(target) ? target : FirstTenantWord(detail);
        var (tFirst, tLast) = Range(target);
        var firstWord = detail?.Split([' ', ':'], 2)[0];
        var (dFirst, dLast) = firstWord is null ? (null, null) : Range(firstWord);
        return new AuditKeys(actorTenant, subject, Name(target), tFirst, tLast, dFirst, dLast);
    }

    /// <summary>A target as the zone filter compares it: lowercase, ending in a dot.</summary>
    public static string Name(string text)
    {
        var lower = text.Trim().ToLowerInvariant();
        return lower.EndsWith('.') ? lower : lower + ".";
    }

    public static string Address(IPAddress address)
    {
        var v6 = address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;
        return Convert.ToHexStringLower(v6.GetAddressBytes());
    }

    private static bool IsTenantId(string word) =>
        word.StartsWith("ten_", StringComparison.Ordinal) && word.Length > 4 && word.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static string? FirstTenantWord(string? detail)
    {
        if (detail is null)
            return null;
        foreach (var word in detail.Split([' ', ':', ',', ';', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
        {
            var w = word.TrimEnd('.');
            if (IsTenantId(w))
                return w;
        }
        return null;
    }

    /// <summary>The first and last address of <c>address</c> or <c>address/length</c>; nulls when the text is neither.</summary>
    internal static (string? First, string? Last) Range(string text)
    {
        int slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        // IPAddress.TryParse takes "7" for 0.0.0.7: only dotted quads and colon forms name addresses here.
        bool v4 = addressText.Count(c => c == '.') == 3 && addressText.All(c => char.IsAsciiDigit(c) || c == '.');
        bool v6 = addressText.Contains(':') && addressText.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.');
        if (!(v4 || v6) || !IPAddress.TryParse(addressText, out var address))
            return (null, null);
        int bits = v4 ? 32 : 128;
        int length = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits))
            return (null, null);
        var bytes = (v4 ? address.MapToIPv6() : address).GetAddressBytes();
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        int hostBits = bits - length;
        var mask = hostBits == 0 ? UInt128.Zero : hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return (Hex(value & ~mask), Hex(value | mask));
    }

    private static string Hex(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return Convert.ToHexStringLower(bytes);
    }
}
