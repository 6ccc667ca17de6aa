#!/usr/bin/env bash
# The side-by-side benchmark in one command: builds rdns and the bench tools, writes the dataset
# once (kept in bench/out/data-SHAPE-RECORDS-SEED and reused), then runs every installed server on it
# one after another and prints the table (Markdown in bench/out/results/<time>/results.md).
#
#   bench/run.sh                       # 1,048,832 PTRs in 4,176 zones, dnsperf -c 4 -T 1 -l 15
#   bench/run.sh --records 10000000    # the linear-growth run
#   bench/run.sh --shape tenant        # tenants' names; also sparse6, huge, tiny (see bench/README.md)
#   bench/shapes.sh                    # every shape, one after another
#   bench/run.sh --seconds 30 --servers rdns,knot --keep
#
# Generator options: --shape KIND, --records N, --seed S, --queries N. Everything else goes to the harness
# (bench/Rdns.Bench.Harness: --servers, --clients, --threads, --seconds, --dnsperf-arg, --compare,
# --rdns-arg, --start-timeout, --import-timeout, --out, --keep).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

command="bench/run.sh $*"
records=1048832
shape=operator
seed=1
queries=1000000
harness=()
own_rdns=0
while [ $# -gt 0 ]; do
  case "$1" in
    --records) records="$2"; shift 2 ;;
    --shape) shape="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --queries) queries="$2"; shift 2 ;;
    --rdns) own_rdns=1; harness+=("$1" "$2"); shift 2 ;;
    *) harness+=("$1"); shift ;;
  esac
done

# Knot and dnsperf are the reference and the load; NSD and BIND join when installed (nsd, bind9).
need=()
command -v knotd >/dev/null 2>&1 || [ -x /usr/sbin/knotd ] || need+=(knot)
command -v dnsperf >/dev/null 2>&1 || need+=(dnsperf)
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: installing ${need[*]}" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2 || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

# Another rdns binary (--rdns PATH) is used as it is; otherwise ./rdns builds itself when stale.
[ "$own_rdns" = 1 ] || ./rdns --version >/dev/null
out="$repo/.build/bench"
dotnet build bench/Rdns.Bench.Harness/Rdns.Bench.Harness.csproj -c Release -o "$out" --nologo -v quiet -clp:NoSummary >&2

data="$repo/bench/out/data-$shape-$records-$seed"
if [ ! -f "$data/dataset.json" ] || [ "$(sed -n 's/.*"queries": \([0-9]*\).*/\1/p' "$data/dataset.json")" != "$queries" ]; then
  dotnet "$out/Rdns.Bench.Data.dll" --shape "$shape" --records "$records" --seed "$seed" --queries "$queries" --out "$data"
fi
RDNS_BENCH_COMMAND="${command% }" exec dotnet "$out/Rdns.Bench.Harness.dll" --data "$data" "${harness[@]}"
