#!/usr/bin/env bash
# Every dataset shape in turn through bench/run.sh (Rdns beside Knot unless told otherwise), then
# one summary table of the per-shape ratios (bench/out/results/shapes-<time>.md).
#
#   bench/shapes.sh                                  # 1M PTRs of each shape, rdns and knot
#   bench/shapes.sh --records 10000000               # 10M of each
#   bench/shapes.sh --shapes tenant,sparse6 --seconds 10
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shapes="operator,tenant,sparse6,huge,tiny"
args=()
servers=0
while [ $# -gt 0 ]; do
  case "$1" in
    --shapes) shapes="$2"; shift 2 ;;
    --servers) servers=1; args+=("$1" "$2"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ "$servers" = 1 ] || args+=(--servers rdns,knot)
stamp="$(date -u +%Y%m%d-%H%M%S)"
summary="$repo/bench/out/results/shapes-$stamp.md"
mkdir -p "$(dirname "$summary")"
{
  echo "# Every shape, $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "Command: \`bench/shapes.sh ${*:-}\`; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
} > "$summary"
IFS=',' read -ra list <<< "$shapes"
for shape in "${list[@]}"; do
  out="$repo/bench/out/results/$stamp-$shape"
  "$here/run.sh" --shape "$shape" --out "$out" "${args[@]}" || true
  {
    echo "## $shape (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    sed -n '/^| server/,/^$/p' "$out/results.md"
    grep -E '^- (dataset|Rdns response|Knot response|Rdns store)' "$out/results.md" || true
    echo
  } >> "$summary"
done
cat "$summary"
