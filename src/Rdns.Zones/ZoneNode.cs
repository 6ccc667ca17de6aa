using Rdns.Protocol.Wire;

namespace Rdns.Zones;

/// <summary>
/// One owner name of a zone with its RRsets. A node with no RRsets is an empty non-terminal: it
/// exists because names exist below it (RFC 8020: it must answer NODATA, not NXDOMAIN).
/// </summary>
public sealed class ZoneNode
{
    private static readonly RRset[] NoSets = [];

    internal ZoneNode(byte[] name, int labelCount, RRset[]? sets)
    {
        Name = name;
        LabelCount = labelCount;
        Sets = sets ?? NoSets;
        foreach (var set in Sets)
        {
            if (set.Type == RecordType.CNAME)
                Cname = set;
            else if (set.Type == RecordType.NS)
                Ns = set;
        }
    }

    /// <summary>Owner name in wire form, case as first loaded.</summary>
    public byte[] Name { get; }

    public int LabelCount { get; }

    /// <summary>RRsets in ascending type order.</summary>
    public RRset[] Sets { get; }

    public RRset? Cname { get; }

    public RRset? Ns { get; }

    public bool IsEmptyNonTerminal => Sets.Length == 0;

    /// <summary>How many nodes are one label below this one; an empty non-terminal with none left is removed.</summary>
    public int Children { get; internal set; }

    /// <summary>A node of the same name with other RRsets (none: an empty non-terminal), keeping its place in the tree.</summary>
    internal ZoneNode WithSets(RRset[] sets) => new(Name, LabelCount, sets) { Cut = Cut, Children = Children };

    internal ZoneNode WithChildren(int children) => new(Name, LabelCount, Sets) { Cut = Cut, Children = children };

    /// <summary>
    /// The highest zone cut at or above this node (a non-apex node with NS), or null. Names at or
    /// below a cut are not authoritative data of this zone (RFC 1034 §4.2.1).
    /// </summary>
    public ZoneNode? Cut { get; internal set; }

    public RRset? Find(RecordType type)
    {
        foreach (var set in Sets)
        {
            if (set.Type == type)
                return set;
        }
        return null;
    }
}
