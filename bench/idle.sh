#!/usr/bin/env bash
# What a server costs when nobody uses it: CPU seconds and PSS over SECONDS left alone, from 10 s
# after it listens (past start-up's trims). Used for "a resync that does nothing while nothing
# changes" in docs/BENCHMARKS.md; environment variables are passed to the server.
#
#   bench/idle.sh DATA_DIR [RDNS_BINARY] [SECONDS]     # DATA_DIR: a store already imported; a copy is served
set -euo pipefail
data="${1:?usage: bench/idle.sh DATA_DIR [RDNS_BINARY] [SECONDS]}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${2:-$here/.build/rdns/rdns}"
seconds="${3:-120}"
[ -x "$bin" ] || "$here/rdns" version >/dev/null
copy="$(mktemp -d)"
cp -r "$data"/. "$copy"
log="$copy/serve.log"
"$bin" serve --data "$copy" --dns 127.0.0.1:25392 --http 127.0.0.1:28092 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null && wait $pid 2>/dev/null || true; rm -rf "$copy"' EXIT
for _ in $(seq 1 400); do grep -q "HTTP API listening" "$log" && break; sleep 0.5; done
sleep 10
tick=$(getconf CLK_TCK)
cpu() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$pid/stat"; }
pss() { awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup"; }
c0=$(cpu); p0=$(pss)
sleep "$seconds"
c1=$(cpu); p1=$(pss)
echo "CPU over $seconds s left alone: $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }') s; PSS $p0 -> $p1 kB"
