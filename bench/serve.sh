# Sourced by bench scripts: starts `BIN serve` on DATA_DIR with the given DNS and HTTP ports, its
# output in LOG, sets $pid, and waits (up to 200 s) until the HTTP API listens.
#
#   . "$here/bench/serve.sh"; serve_until_listening BIN DATA_DIR DNS_PORT HTTP_PORT LOG
serve_until_listening() {
  # SERVE_ZONES=DIR: the server imports the zone files of DIR first (rdns serve --zones DIR).
  "$1" serve --data "$2" --dns "127.0.0.1:$3" --http "127.0.0.1:$4" ${SERVE_ZONES:+--zones "$SERVE_ZONES"} >"$5" 2>&1 &
  pid=$!
  for _ in $(seq 1 400); do grep -q "HTTP API listening" "$5" && return 0; sleep 0.5; done
}

# Copies DATA_DIR to a temporary directory ($copy; the server's output goes to $log in it), which is
# removed, with the server ($pid) stopped first, when the script exits.
#
#   . "$here/bench/serve.sh"; copy_store DATA_DIR; serve_until_listening BIN "$copy" DNS_PORT HTTP_PORT "$log"
copy_store() {
  copy="$(mktemp -d)"
  cp -r "$1"/. "$copy"
  log="$copy/serve.log"
  trap 'kill $pid 2>/dev/null && wait $pid 2>/dev/null || true; rm -rf "$copy"' EXIT
}
