#!/usr/bin/env bash
# CPU per answered query with views, the whole server under dnsperf: 100 views of 50 zones each
# beside one view (the public one) holding the same 5,000 zones, both servers running at once and
# measured in alternation, same queries from the same loopback source addresses.
#
#   views  server: view v$i matches clients 127.1.$i.0/24 and holds 10.$i.0.0/24 ... 10.$i.49.0/24
#   one    server: no view; the public view holds all 5,000 zones
# Each zone has 32 PTRs. Load: one dnsperf per source address (-a 127.1.$i.1, dnsperf binds one
# local address per process), i in 0 33 66 99, so the last of the 100 views is among those matched;
# each asks PTRs of its view's zones. CPU is the server's utime+stime (/proc/PID/stat) over the
# rounds; rate limiting is off (--rrl-rate 0), as in bench/run.sh.
# Usage: bench/views.sh [--seconds N] [--rounds R]   (default 10 s, 3 rounds: about 2.5 minutes)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds=10
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "usage: bench/views.sh [--seconds N] [--rounds R]" >&2; exit 2 ;;
  esac
done
command -v dnsperf >/dev/null && command -v python3 >/dev/null || { echo "needs dnsperf and python3 (apt-get install dnsperf python3)" >&2; exit 1; }
"$here/rdns" version >/dev/null
work="$(mktemp -d /tmp/rdns-bench-views-XXXXXX)"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
views=100
zones=50
ptrs=32
sources=(0 33 66 99)

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu() { awk '{ print ($14 + $15) / 100 }' "/proc/$1/stat"; }

# The zone files (the one-view server imports them at start) and each source's queries.
mkdir -p "$work/zones"
python3 - "$work" "$views" "$zones" "$ptrs" "${sources[@]}" <<'PY'
import sys, os
work, views, zones, ptrs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sources = [int(s) for s in sys.argv[5:]]
for i in range(views):
    for j in range(zones):
        z = f"{j}.{i}.10.in-addr.arpa."
        with open(os.path.join(work, "zones", z + "zone"), "w") as f:
            f.write(f"$ORIGIN {z}\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. 1 7200 900 1209600 300\n@ NS ns1.example.net.\n")
            for k in range(ptrs):
                f.write(f"{k} PTR host-{k}.net{j}.view{i}.example.\n")
for i in sources:
    with open(os.path.join(work, f"queries-{i}.txt"), "w") as f:
        for k in range(ptrs):
            for j in range(zones):
                f.write(f"{k}.{j}.{i}.10.in-addr.arpa. PTR\n")
PY

start() { # name extra-args...
  local name="$1" dns http
  shift
  dns=$(port); http=$(port)
  "$here/rdns" serve --data "$work/$name" --dns "127.0.0.1:$dns" --http "127.0.0.1:$http" --rrl-rate 0 "$@" > "$work/$name.log" 2>&1 &
  echo "$! $dns $http"
}
ready() { # http-port data-dir
  for _ in $(seq 600); do
    [ -f "$2/admin.key" ] && curl -sf -o /dev/null -H "Authorization: Bearer $(cat "$2/admin.key")" "http://127.0.0.1:$1/v1/views" && return 0
    sleep 0.2
  done
  echo "server on $1 did not start" >&2; return 1
}

read -r one_pid one_dns one_http < <(start one --zones "$work/zones")
read -r views_pid views_dns views_http < <(start views)
pids+=("$one_pid" "$views_pid")
ready "$one_http" "$work/one"
ready "$views_http" "$work/views"
echo "bench: loading $views views x $zones zones through the API..." >&2
python3 - "$views_http" "$(cat "$work/views/admin.key")" "$work/zones" "$views" "$zones" <<'PY'
import sys, http.client, json, os
port, key, folder, views, zones = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
def call(method, path, body, ctype="application/json"):
    c.request(method, path, body=body, headers={"Authorization": f"Bearer {key}", "Content-Type": ctype})
    r = c.getresponse(); text = r.read()
    if r.status >= 300:
        sys.exit(f"{method} {path}: {r.status} {text[:300]}")
for i in range(views):
    call("POST", "/v1/views", json.dumps({"name": f"v{i}", "match": [f"127.1.{i}.0/24"]}))
for i in range(views):
    for j in range(zones):
        z = f"{j}.{i}.10.in-addr.arpa."
        with open(os.path.join(folder, z + "zone")) as f:
            call("POST", f"/v1/zones/{z}/import?view=v{i}", f.read(), "text/dns")
PY
# Both servers answer the same question for a client of view v99 with the same name.
for p in "$one_dns" "$views_dns"; do
  got=$(dig +short -b 127.1.99.1 -p "$p" @127.0.0.1 -x 10.99.49.31 2>/dev/null || kdig +short -b 127.1.99.1 -p "$p" @127.0.0.1 -x 10.99.49.31)
  [ "$got" = "host-31.net49.view99.example." ] || { echo "server on $p answers '$got' for 10.99.49.31" >&2; exit 1; }
done

load() { # dns-port pid -> "cpu-seconds completed"
  local before after total=0 out
  before=$(cpu "$2")
  for i in "${sources[@]}"; do
    dnsperf -s 127.0.0.1 -p "$1" -a "127.1.$i.1" -d "$work/queries-$i.txt" -c 1 -T 1 -q 50 -l "$seconds" > "$work/perf-$i.txt" 2>&1 &
  done
  wait
  after=$(cpu "$2")
  for i in "${sources[@]}"; do
    # Every answer must be the PTR (NOERROR): a refused or failed query would be cheaper.
    grep -q 'Response codes: *NOERROR [0-9]* (100.00%)$' "$work/perf-$i.txt" || { echo "not every answer is NOERROR:" >&2; cat "$work/perf-$i.txt" >&2; exit 1; }
    total=$((total + $(awk '/Queries completed:/ { print $3 }' "$work/perf-$i.txt")))
  done
  echo "$(echo "$after - $before" | bc -l) $total"
}

declare -A cpu_sum=([one]=0 [views]=0) done_sum=([one]=0 [views]=0)
for r in $(seq "$rounds"); do
  for name in one views; do
    if [ "$name" = one ]; then p=$one_dns; pid=$one_pid; else p=$views_dns; pid=$views_pid; fi
    read -r c n < <(load "$p" "$pid")
    printf "round %d %-5s %9d queries  %6.2f µs CPU per query\n" "$r" "$name" "$n" "$(echo "$c * 1000000 / $n" | bc -l)"
    cpu_sum[$name]=$(echo "${cpu_sum[$name]} + $c" | bc -l)
    done_sum[$name]=$((done_sum[$name] + n))
  done
done
one_us=$(echo "${cpu_sum[one]} * 1000000 / ${done_sum[one]}" | bc -l)
views_us=$(echo "${cpu_sum[views]} * 1000000 / ${done_sum[views]}" | bc -l)
printf "one view:           %6.2f µs CPU per query (%d queries)\n" "$one_us" "${done_sum[one]}"
printf "100 views x 50:     %6.2f µs CPU per query (%d queries)\n" "$views_us" "${done_sum[views]}"
printf "ratio views / one:  %6.3f\n" "$(echo "$views_us / $one_us" | bc -l)"
