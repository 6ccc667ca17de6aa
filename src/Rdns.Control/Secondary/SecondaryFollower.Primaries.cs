using Rdns.Transfer;

namespace Rdns.Control.Secondary;

public sealed partial class SecondaryFollower
{
    /// <summary>
    /// Follows <paramref name="primaries"/> from now on (a settings reload, SIGHUP): NOTIFY is taken
    /// from them only, and the next refresh of each zone asks them. A zone whose last primary is no
    /// longer listed, or whose refreshes were failing, is refreshed at once from the new list.
    /// Returns what changed, for the log; nothing when the list is the same or the node was
    /// promoted. An empty list is refused: a secondary without a primary is a promotion.
    /// </summary>
    public IReadOnlyList<string> ReplacePrimaries(IReadOnlyList<PrimaryServer> primaries)
    {
        if (Promoted)
            return [];
        if (primaries.Count == 0)
            throw new InvalidOperationException("Primaries: a secondary needs at least one primary; to stop following, promote the node (rdns promote)");
        var before = _options.Primaries;
        if (before.SequenceEqual(primaries))
            return [];
        _options = _options with { Primaries = primaries };
        _writer.FollowPrimary($"this node is a secondary of {string.Join(", ", primaries)}: its zones change only by transfer from there; make the change on the primary");
        int woken = 0;
        foreach (var zone in _followed.Values)
        {
            if (zone.Failures > 0 || (zone.Source is { } source && !primaries.Contains(source)))
            {
                zone.Source = null;
                zone.Notify(null);
                woken++;
            }
        }
        return [$"primaries: [{string.Join(", ", before)}] -> [{string.Join(", ", primaries)}]; {woken} zones refreshed now from the new list"];
    }
}
