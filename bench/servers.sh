# Sourced by bench scripts that start servers of their own on a dataset (alternate.sh,
# kernel-profile.sh). The script sets `tool` (its name, for messages), `work` (a directory removed
# on exit), `report` (the file `say` appends to) and `data` (the dataset) before sourcing this, and
# adds the process ID of each server it starts to `pids`: on exit each is asked to stop, then
# killed if it has not within 10 s.
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

say() { echo "$*" | tee -a "$report"; }
free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# The dataset's first query name, which every server of it answers.
probe_name="$(head -1 "$data/queries.txt" | cut -d' ' -f1)"
wait_answer() { # port pid: until the server on PORT answers the probe name (NOERROR), or exits
  for _ in $(seq 1 600); do
    kill -0 "$2" 2>/dev/null || { echo "$tool: a server exited; see $work" >&2; exit 1; }
    if dig +tries=1 +time=1 -p "$1" @127.0.0.1 "$probe_name" PTR 2>/dev/null | grep -q 'status: NOERROR'; then return 0; fi
    sleep 0.5
  done
  echo "$tool: no answer on port $1" >&2; exit 1
}
