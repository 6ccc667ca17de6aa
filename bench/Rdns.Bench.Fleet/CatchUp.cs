namespace Rdns.Bench.Fleet;

/// <summary>One kill and restart of an edge: how long until it answered at all, and until it held every serial the primary had when it started.</summary>
internal sealed record CatchUp(string Edge, EdgeKind Kind, double DownSeconds, double FirstAnswerMs, double? CatchUpMs, int ZonesBehind, int StillBehind);
