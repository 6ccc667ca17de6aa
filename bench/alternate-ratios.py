#!/usr/bin/env python3
"""Per-round ratios of bench/alternate.sh runs: for each report given, the medians of rounds 2 and
later of each server's µs per query, and the medians of the per-round ratios of two builds to each
other and of each to Knot (and the floor's, when measured), so that each ratio compares servers
measured within a minute of each other; and in how many rounds the second build was below the
first.

Where the report has them (runs since 2026-11-29 13:20 UTC), the medians of each build's user and
kernel parts too (utime and stime per query: its own code, and the kernel's work for it).

    bench/alternate-ratios.py bench/out/alternate-TIME.txt ... [--first before] [--second after]
"""
import re
import statistics
import sys


def main(argv):
    first, second, paths = "before", "after", []
    i = 0
    while i < len(argv):
        if argv[i] in ("--first", "--second"):
            if argv[i] == "--first":
                first = argv[i + 1]
            else:
                second = argv[i + 1]
            i += 2
        else:
            paths.append(argv[i])
            i += 1
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for path in paths:
        rounds = {}
        parts_of = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"round (\d+) (\S+): ([\d.]+) µs/query(?: \(user ([\d.]+), kernel ([\d.]+)\))?", line)
                if m:
                    rounds.setdefault(int(m.group(1)), {})[m.group(2)] = float(m.group(3))
                    if m.group(4):
                        parts_of.setdefault(int(m.group(1)), {})[m.group(2)] = (float(m.group(4)), float(m.group(5)))
        later = [r for r in sorted(rounds) if r >= 2 and all(n in rounds[r] for n in (first, second, "Knot"))]
        if not later:
            print(f"{path}: no complete round 2 or later with {first}, {second} and Knot")
            continue

        def med(f):
            return statistics.median(f(rounds[r]) for r in later)

        parts = [f"{n} {med(lambda x, n=n: x[n]):.2f}" for n in (first, second, "Knot")]
        has_floor = all("floor" in rounds[r] for r in later)
        if has_floor:
            parts.append(f"floor {med(lambda x: x['floor']):.2f}")
        ratios = [f"{second}/{first} {med(lambda x: x[second] / x[first]):.3f}",
                  f"{first}/Knot {med(lambda x: x[first] / x['Knot']):.3f}",
                  f"{second}/Knot {med(lambda x: x[second] / x['Knot']):.3f}"]
        if has_floor:
            ratios.append(f"floor/Knot {med(lambda x: x['floor'] / x['Knot']):.3f}")
        below = sum(1 for r in later if rounds[r][second] < rounds[r][first])
        split = ""
        if all(n in parts_of.get(r, {}) for r in later for n in (first, second)):
            split = " | " + " ".join(
                f"{n} user {statistics.median(parts_of[r][n][0] for r in later):.2f} kernel {statistics.median(parts_of[r][n][1] for r in later):.2f}"
                for n in (first, second))
        print(f"{path}: rounds {later[0]}-{later[-1]}: {' '.join(parts)} µs/query | {' | '.join(ratios)} | "
              f"{second} below {first} in {below} of {len(later)}{split}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
