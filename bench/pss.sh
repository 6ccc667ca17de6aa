#!/usr/bin/env bash
# The memory of a server in use, split by kind: PSS before and after it has answered API requests
# and DNS queries, and where the pages are (anonymous, file-backed, shared memory; the largest
# mappings by directory). Used for "Where the memory goes" in docs/BENCHMARKS.md.
#
#   bench/pss.sh DATA_DIR [RDNS_BINARY]     # DATA_DIR: a store already imported (rdns serve --zones)
#   PSS_WRITES=100 PSS_QUERIES=bench/out/data-tenant-1048832-1/queries.txt bench/pss.sh DATA_DIR
#
# Compare builds by passing another binary (a self-contained publish, say) on the same DATA_DIR.
# A heavier use: PSS_WRITES PTRs set through the API (addresses in the first zone listed) and 5 s
# of dnsperf -c 4 -T 1 with PSS_QUERIES, then PSS 3 s and 13 s later. PSS_LATER=SECONDS reads PSS
# once more after that long left alone (past a 30 s resync or two, say PSS_LATER=75), and with
# PSS_EVERY=SECONDS that often on the way.
# SERVE_ZONES=DIR (DATA_DIR empty then): the server imports the zone files of DIR as it starts and
# is measured as it is after the import, not restarted (see bench/serve.sh).
set -euo pipefail
data="${1:?usage: bench/pss.sh DATA_DIR [RDNS_BINARY]}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${2:-$here/.build/rdns/rdns}"
[ -x "$bin" ] || "$here/rdns" version >/dev/null
log="$(mktemp)"
. "$here/bench/serve.sh"
# The server is waited for, so a run right after this one finds its ports free.
trap 'kill $pid 2>/dev/null && wait $pid 2>/dev/null || true; rm -f "$log" "$log.q"' EXIT
serve_until_listening "$bin" "$data" 25353 28080 "$log"
sleep 2
pss() { awk '/^Pss:/{print $2}' "/proc/$pid/smaps_rollup"; }
before=$(pss)
key=$(cat "$data/admin.key")
for _ in 1 2 3; do
  for path in "/v1/zones?limit=5" /v1/audit /metrics /; do
    curl -s -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:28080$path" || true
  done
done
zone=$(curl -s -H "Authorization: Bearer $key" "http://127.0.0.1:28080/v1/zones?limit=1" | sed -n 's/.*"name":"\([^"]*\)".*/\1/p')
for _ in $(seq 1 50); do echo "${zone:-.} SOA"; done >"$log.q"
dnsperf -s 127.0.0.1 -p 25353 -d "$log.q" -l 3 >/dev/null 2>&1 || true
sleep 3
echo "PSS before use: ${before} kB; after API requests and queries: $(pss) kB"
if [ -n "${PSS_WRITES:-}${PSS_QUERIES:-}" ]; then
  for path in /console/zones /openapi/v1.json; do
    curl -s -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:28080$path" || true
  done
  # The first zone's /24 (or its first addresses): a.b.c.in-addr.arpa. -> c.b.a.N
  base="$(echo "$zone" | awk -F. '{ print $3 "." $2 "." $1 }')"
  for i in $(seq 1 "${PSS_WRITES:-0}"); do
    curl -s -o /dev/null -X PUT -H "Authorization: Bearer $key" -H "Content-Type: application/json" \
      -d "{\"ptrdname\":\"w$i.example.com\"}" "http://127.0.0.1:28080/v1/ptr/$base.$((i % 250 + 1))" || true
  done
  [ -z "${PSS_QUERIES:-}" ] || dnsperf -s 127.0.0.1 -p 25353 -d "$PSS_QUERIES" -l 5 -c 4 -T 1 >/dev/null 2>&1 || true
  sleep 3
  echo "PSS after ${PSS_WRITES:-0} writes and 5 s of queries: $(pss) kB (file-backed $(awk '/^Pss_File:/{print $2}' "/proc/$pid/smaps_rollup") kB)"
  sleep 10
  echo "10 s later: $(pss) kB"
fi
if [ -n "${PSS_LATER:-}" ]; then
  # A server left alone after use: what background work (the 30 s resync, trims) leaves resident.
  # PSS_EVERY=SECONDS reads it that often on the way, not only at the end.
  step="${PSS_EVERY:-$PSS_LATER}"
  for ((t = step; t <= PSS_LATER; t += step)); do
    sleep "$step"
    echo "$t s later: $(pss) kB (file-backed $(awk '/^Pss_File:/{print $2}' "/proc/$pid/smaps_rollup") kB)"
  done
fi
grep -E '^(Rss|Pss_(Anon|File|Shmem))' "/proc/$pid/smaps_rollup"
# PSS divides a page among the processes that map it: another process running the same binary
# (a test suite, a second server) halves the binary's pages here. RSS counts them whole, which is
# what the server costs when it runs alone; the two differ by what is shared.
real="$(readlink -f "$bin")"
others=0
for p in /proc/[0-9]*; do
  [ "${p#/proc/}" = "$pid" ] && continue
  grep -qF "$real" "$p/maps" 2>/dev/null && others=$((others + 1))
done
[ "$others" = 0 ] || echo "warning: $others other process(es) map $real: PSS is lower than it would be alone (see Rss)"
echo "largest by directory (kB):"
awk '/^[0-9a-f]+-[0-9a-f]+ /{n=$6; if(n=="")n="[anon]"; d=n; sub("/[^/]*$","",d); if(d=="")d=n}
     /^Pss:/{p[d]+=$2} END{for(d in p) printf "%8d %s\n", p[d], d}' "/proc/$pid/smaps" | sort -rn | head -8
