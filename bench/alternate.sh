#!/usr/bin/env bash
# Server CPU per query of several Rdns builds and Knot, side by side and taking turns: every
# server is started once on the same dataset (Rdns from copies of one imported store, Knot from
# the zone files), then each round runs dnsperf against each of them in turn (the order rotating
# from round to round) and reads the server's CPU time before and after. On a machine shared with
# other work, a change is only told apart from the noise by such alternation; the medians of the
# rounds and the ratios to Knot of the same rounds are what to quote.
#
#   bench/alternate.sh --shape tenant --build before=/path/to/old/rdns --build after=./.build/rdns/rdns
#   bench/alternate.sh --shape operator --build rdns=./.build/rdns/rdns --rounds 7 --seconds 5 --no-knot
#
# Options: --shape KIND (the dataset bench/out/data-KIND-1048832-1, made by bench/run.sh), --data DIR
# instead, --build NAME=EXECUTABLE (repeatable), --rounds N (5), --seconds S (5, per dnsperf run),
# --clients C (4), --no-knot, --rdns-arg ARG (repeatable, to every Rdns), --floor (also measure
# bench/floor.c, a responder that does no DNS work: the kernel's cost per query). Round 1 is the servers'
# first load (what bench/run.sh measures, JIT included); the medians are of every round and of
# rounds 2 and later. Output: one line per run (CPU per query, and its parts in the server's own code,
# utime, and in the kernel, stime), then a summary, also in bench/out/alternate-TIME.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

shape=operator
data=""
rounds=5
seconds=5
clients=4
knot=1
floor=0
names=()
exes=()
rdns_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --shape) shape="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --build) names+=("${2%%=*}"); exes+=("$(realpath "${2#*=}")"); shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --no-knot) knot=0; shift ;;
    --floor) floor=1; shift ;;
    --rdns-arg) rdns_args+=("$2"); shift 2 ;;
    *) echo "alternate: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$data" ] || data="$repo/bench/out/data-$shape-1048832-1"
[ -f "$data/dataset.json" ] || { echo "alternate: no dataset in $data (bench/run.sh --shape $shape makes it)" >&2; exit 2; }
[ ${#names[@]} -gt 0 ] || { names=(rdns); exes=("$repo/.build/rdns/rdns"); }

stamp="$(date -u +%Y%m%d-%H%M%S)"
work="$repo/bench/out/alternate-$stamp"
report="$repo/bench/out/alternate-$stamp.txt"
mkdir -p "$work"
tool=alternate
# shellcheck source=servers.sh
. "$here/servers.sh"
# utime and stime of the whole process (exited threads included), in clock ticks: the server's own
# code and the kernel's work for it.
cpu_ticks() { awk '{ print $14, $15 }' "/proc/$1/stat"; }
ticks="$(getconf CLK_TCK)"

say "# bench/alternate.sh $(date -u '+%F %T') UTC, $data, ${rounds} rounds x ${seconds} s, dnsperf -c $clients -T 1, load $(cut -d' ' -f1-3 /proc/loadavg)"

# One store, imported once by the first build, copied for each.
store0="$work/store0"
port="$(free_port)"
"${exes[0]}" serve --data "$store0" --dns "127.0.0.1:$port" --http "127.0.0.1:$(free_port)" --rrl-rate 0 --zones "$data/zones" >"$work/import.log" 2>&1 &
ipid=$!
pids+=("$ipid")
wait_answer "$port" "$ipid"
kill -TERM "$ipid"; wait "$ipid" 2>/dev/null || true

servers=()
ports=()
spids=()
for i in "${!names[@]}"; do
  cp -a "$store0" "$work/store-$i"
  port="$(free_port)"
  "${exes[$i]}" serve --data "$work/store-$i" --dns "127.0.0.1:$port" --http "127.0.0.1:$(free_port)" --rrl-rate 0 "${rdns_args[@]}" >"$work/${names[$i]}.log" 2>&1 &
  pids+=("$!"); spids+=("$!"); servers+=("${names[$i]}"); ports+=("$port")
done
if [ "$knot" = 1 ]; then
  port="$(free_port)"
  mkdir -p "$work/knot"
  {
    printf 'server:\n  rundir: %s\n  listen: 127.0.0.1@%s\nlog:\n  - target: stderr\n    any: notice\n' "$work/knot" "$port"
    printf 'database:\n  storage: %s/db\ntemplate:\n  - id: default\n    storage: %s\n' "$work/knot" "$data/zones"
    printf '    file: "%%s.zone"\n    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: none\nzone:\n'
    python3 -c 'import json,sys; [print("  - domain: " + z) for z in json.load(open(sys.argv[1]))["zoneNames"]]' "$data/dataset.json"
  } >"$work/knot/knot.conf"
  /usr/sbin/knotd -c "$work/knot/knot.conf" >"$work/knot.log" 2>&1 &
  pids+=("$!"); spids+=("$!"); servers+=(Knot); ports+=("$port")
fi
if [ "$floor" = 1 ]; then
  cc -O2 -o "$work/floor" "$here/floor.c"
  port="$(free_port)"
  "$work/floor" 127.0.0.1 "$port" >"$work/floor.log" 2>&1 &
  pids+=("$!"); spids+=("$!"); servers+=(floor); ports+=("$port")
fi
for i in "${!servers[@]}"; do wait_answer "${ports[$i]}" "${spids[$i]}"; done
# Every zone loaded (Knot loads them one by one): the last zone's name answers.
sleep 5

declare -A results
n=${#servers[@]}
for r in $(seq 1 "$rounds"); do
  for k in $(seq 0 $((n - 1))); do
    i=$(( (k + r - 1) % n ))
    pid="${spids[$i]}"
    read -r u0 s0 <<<"$(cpu_ticks "$pid")"
    out="$(dnsperf -s 127.0.0.1 -p "${ports[$i]}" -d "$data/queries.txt" -c "$clients" -T 1 -l "$seconds" 2>&1)"
    read -r u1 s1 <<<"$(cpu_ticks "$pid")"
    completed="$(sed -n 's/.*Queries completed:[[:space:]]*\([0-9]*\).*/\1/p' <<<"$out")"
    qps="$(sed -n 's/.*Queries per second:[[:space:]]*\([0-9.]*\).*/\1/p' <<<"$out")"
    per() { awk -v c="$1" -v t="$ticks" -v q="$completed" 'BEGIN { printf "%.2f", c / t * 1e6 / q }'; }
    us="$(per $((u1 - u0 + s1 - s0)))"
    results["$r,${servers[$i]}"]="$us"
    say "round $r ${servers[$i]}: ${us} µs/query (user $(per $((u1 - u0))), kernel $(per $((s1 - s0)))), ${qps%.*} qps, $completed completed, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
say "## medians (all rounds | rounds 2+), and per-round ratio to Knot (median)"
for s in "${servers[@]}"; do
  all="$(for r in $(seq 1 "$rounds"); do echo "${results[$r,$s]}"; done | median)"
  later="$( [ "$rounds" -gt 1 ] && for r in $(seq 2 "$rounds"); do echo "${results[$r,$s]}"; done | median || echo -)"
  ratio="-"
  if [ "$knot" = 1 ] && [ "$s" != Knot ]; then
    ratio="$(for r in $(seq 1 "$rounds"); do awk -v a="${results[$r,$s]}" -v b="${results[$r,Knot]}" 'BEGIN { printf "%.3f\n", a / b }'; done | median)"
  fi
  say "$s: $all | $later µs/query; ratio to Knot $ratio"
done
say "# end $(date -u '+%T') UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
