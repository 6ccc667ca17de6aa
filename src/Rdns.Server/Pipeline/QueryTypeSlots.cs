using Rdns.Protocol.Wire;

namespace Rdns.Server.Pipeline;

/// <summary>
/// The query types counted one by one; every other type shares the slot "other", so a client
/// sending random types cannot grow the metrics (bounded cardinality, as Knot's stats module does).
/// </summary>
public static class QueryTypeSlots
{
    /// <summary>The types with a slot of their own, in slot order; the last slot is "other".</summary>
    public static readonly IReadOnlyList<RecordType> Counted =
    [
        RecordType.A, RecordType.NS, RecordType.CNAME, RecordType.SOA, RecordType.PTR, RecordType.MX, RecordType.TXT,
        RecordType.AAAA, RecordType.SRV, RecordType.DNAME, RecordType.DS, RecordType.DNSKEY, (RecordType)64, (RecordType)65,
        RecordType.CAA, RecordType.IXFR, RecordType.AXFR, RecordType.ANY,
    ];

    public static int Count => Counted.Count + 1;

    public static int Other => Counted.Count;

    // Types below 256 by table (one load per query); CAA (257) is the one counted type above it.
    private static readonly byte[] Table = BuildTable();

    private static byte[] BuildTable()
    {
        var table = new byte[256];
        Array.Fill(table, (byte)Counted.Count);
        for (int i = 0; i < Counted.Count; i++)
        {
            if ((int)Counted[i] < 256)
                table[(int)Counted[i]] = (byte)i;
        }
        return table;
    }

    private static readonly int CaaSlot = Counted.ToList().IndexOf(RecordType.CAA);

    public static int Of(RecordType type)
    {
        int value = (int)type;
        if (value < 256)
            return Table[value];
        return type == RecordType.CAA ? CaaSlot : Counted.Count;
    }

    /// <summary>The label of a slot: the type's mnemonic, TYPE64/TYPE65 as SVCB/HTTPS, or "other".</summary>
    public static string Name(int slot) => slot >= Counted.Count ? "other" : Counted[slot] switch
    {
        (RecordType)64 => "SVCB",
        (RecordType)65 => "HTTPS",
        var t => t.ToString(),
    };
}
