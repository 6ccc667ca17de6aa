namespace Rdns.Bench.Fleet;

internal enum EdgeKind
{
    Rdns,
    Knot,
}
