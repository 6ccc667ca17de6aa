#!/usr/bin/env bash
# Where the kernel's part of a query goes, for Rdns beside the floor (bench/floor.c, a responder
# that does no DNS work): each server alone under the same dnsperf load as bench/alternate.sh,
# sampled with `perf record` (kernel included), then the kernel's time per answered query as
# sampled (samples at 2,999 Hz over the queries answered meanwhile), in all and per kernel
# function, for both, largest differences first. Says whether a
# server's kernel time is the kernel's floor or work the server makes it do (more wake-ups,
# smaller batches, more system calls).
#
#   bench/kernel-profile.sh --shape huge --build ./.build/rdns/rdns
#   bench/kernel-profile.sh --shape operator --build /path/to/rdns --seconds 10 --top 30
#
# Options: --shape KIND (the dataset bench/out/data-KIND-1048832-1), --data DIR instead, --build
# EXECUTABLE (./.build/rdns/rdns), --seconds S (10, sampled; dnsperf runs 4 s longer), --clients C
# (4), --top N (25 functions). Needs perf and dnsperf; run as root on a quiet machine.
# Output: bench/out/kernel-profile-TIME.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

shape=operator
data=""
exe="$repo/.build/rdns/rdns"
seconds=10
clients=4
top=25
while [ $# -gt 0 ]; do
  case "$1" in
    --shape) shape="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --build) exe="$(realpath "$2")"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --top) top="$2"; shift 2 ;;
    *) echo "kernel-profile: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$data" ] || data="$repo/bench/out/data-$shape-1048832-1"
[ -f "$data/dataset.json" ] || { echo "kernel-profile: no dataset in $data (bench/run.sh --shape $shape makes it)" >&2; exit 2; }
command -v perf >/dev/null || { echo "kernel-profile: perf is not installed" >&2; exit 2; }
command -v dnsperf >/dev/null || { echo "kernel-profile: dnsperf is not installed" >&2; exit 2; }

stamp="$(date -u +%Y%m%d-%H%M%S)"
work="$repo/bench/out/kernel-profile-$stamp"
report="$repo/bench/out/kernel-profile-$stamp.txt"
mkdir -p "$work"
tool=kernel-profile
# shellcheck source=servers.sh
. "$here/servers.sh"

say "# bench/kernel-profile.sh $(date -u '+%F %T') UTC, $data, $exe, ${seconds} s sampled, dnsperf -c $clients -T 1, load $(cut -d' ' -f1-3 /proc/loadavg)"

# Rdns on a store imported from the dataset's zone files (the floor needs none).
port="$(free_port)"
"$exe" serve --data "$work/store" --dns "127.0.0.1:$port" --http "127.0.0.1:$(free_port)" --rrl-rate 0 --zones "$data/zones" >"$work/rdns.log" 2>&1 &
rpid=$!; pids+=("$rpid")
wait_answer "$port" "$rpid"
rport="$port"
cc -O2 -o "$work/floor" "$here/floor.c"
fport="$(free_port)"
"$work/floor" 127.0.0.1 "$fport" >"$work/floor.log" 2>&1 &
fpid=$!; pids+=("$fpid")
wait_answer "$fport" "$fpid"
# Every zone loaded and the first answers' code run.
dnsperf -s 127.0.0.1 -p "$rport" -d "$data/queries.txt" -c "$clients" -T 1 -l 3 >/dev/null 2>&1
sleep 2

profile() { # name port pid
  dnsperf -s 127.0.0.1 -p "$2" -d "$data/queries.txt" -c "$clients" -T 1 -l $((seconds + 4)) >"$work/$1.dnsperf" 2>&1 &
  local dp=$!
  sleep 2
  perf record -q -F 2999 -p "$3" -o "$work/$1.perf" -- sleep "$seconds" >/dev/null 2>&1
  wait "$dp"
  local qps
  qps="$(sed -n 's/.*Queries per second:[[:space:]]*\([0-9.]*\).*/\1/p' "$work/$1.dnsperf")"
  # Samples per kernel function; queries answered while sampling from dnsperf's rate.
  perf report -i "$work/$1.perf" --no-children --sort symbol --stdio -F sample,sym 2>/dev/null \
    | awk -v q="$qps" -v s="$seconds" -v n="$1" '$2 == "[k]" { print n, $1, $3, q * s }' >>"$work/samples"
  say "$1: ${qps%.*} queries a second while sampled"
}
profile rdns "$rport" "$rpid"
profile floor "$fport" "$fpid"

python3 - "$work/samples" "$top" <<'EOF' | tee -a "$report"
import collections, sys
per = collections.defaultdict(dict)
queries = {}
for line in open(sys.argv[1]):
    name, samples, symbol, answered = line.split()
    per[symbol][name] = per[symbol].get(name, 0) + int(samples)
    queries[name] = float(answered)
def rate(n, s): return s / 2999 / queries[n] * 1e6  # µs a query: samples at 2,999 Hz
total = {n: rate(n, sum(v.get(n, 0) for v in per.values())) for n in queries}
print(f"kernel µs per query, as sampled: rdns {total['rdns']:.3f}, floor {total['floor']:.3f} (rdns/floor {total['rdns'] / total['floor']:.3f})")
rows = sorted(((rate('rdns', v.get('rdns', 0)) - rate('floor', v.get('floor', 0)), rate('rdns', v.get('rdns', 0)), rate('floor', v.get('floor', 0)), s)
               for s, v in per.items()), reverse=True)
top = int(sys.argv[2])
print(f"{'rdns-floor':>10} {'rdns':>7} {'floor':>7}  kernel function (µs per query; rdns's excess first, then the floor's)")
for d, r, f, s in rows[:top]:
    print(f"{d:10.3f} {r:7.3f} {f:7.3f}  {s}")
print("...")
for d, r, f, s in rows[-min(top, 10):]:
    print(f"{d:10.3f} {r:7.3f} {f:7.3f}  {s}")
EOF
say "# end $(date -u '+%T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
