using Rdns.Fuzz;

// Rdns.Fuzz TARGET               under afl-fuzz (bench/fuzz/run.sh starts it so): SharpFuzz's fork
//                                server feeds one input after another to the target, in process.
// Rdns.Fuzz replay TARGET PATH…  without AFL: each file (or every file of each folder) once,
//                                printing what escaped; exit code 1 when anything did.
// Rdns.Fuzz seeds DIR            writes the seed corpora (bench/fuzz/corpus) again.
// The instrumented assemblies record coverage into SharpFuzz's trace map, which only exists once
// the fork server runs; until then (building zones and keys, checking arguments) they write into
// a scratch map of the same size instead of a null pointer.
Coverage.UseScratchMap();

if (args is ["seeds", var seedRoot])
    return Seeds.Write(seedRoot);
if (args.Length >= 1 && args[0] == "replay")
{
    if (args.Length < 3 || !FuzzTargets.TryCreate(args[1], out var replayed))
        return Usage();
    return Replay.Run(replayed, args[2..]);
}
if (args.Length != 1 || !FuzzTargets.TryCreate(args[0], out var target))
    return Usage();

// Everything the target builds (zones, keys, options) is built before the fork server starts,
// so each execution pays only for the input.
var buffer = new MemoryStream();
SharpFuzz.Fuzzer.Run(stream =>
{
    buffer.SetLength(0);
    stream.CopyTo(buffer);
    var input = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
    // SharpFuzz reads the first input as soon as it has greeted afl-fuzz, which may be before
    // afl-fuzz has written it: that read can come back empty. Some instrumented code must run
    // even then, or afl-fuzz stops at once with "no instrumentation detected".
    Rdns.Protocol.Wire.DnsHeader.TryRead(input, out _);
    target.Run(input);
});
return 0;

static int Usage()
{
    Console.Error.WriteLine($"usage: Rdns.Fuzz TARGET | Rdns.Fuzz replay TARGET FILE|DIR...   (targets: {string.Join(", ", FuzzTargets.Names)})");
    return 2;
}
